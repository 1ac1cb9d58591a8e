#include "store/destination_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

class DestinationDirTest : public ::testing::Test {
 protected:
  DestinationDir Root() {
    Result<DestinationDir> root = DestinationDir::Open(dest_.path());
    EXPECT_TRUE(root.ok()) << root.status().ToString();
    return std::move(root).value();
  }
  TempDir dest_, elsewhere_;
};

TEST_F(DestinationDirTest, CreatesMissingDirectoriesAndReportsThem) {
  std::vector<std::string> created;
  Result<DestinationDir> dir = Root().OpenSubdir("a/b/c", /*create=*/true, &created);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(created, (std::vector<std::string>{"a", "a/b", "a/b/c"}));
  EXPECT_TRUE(fs::is_directory(dest_ / "a/b/c"));
  EXPECT_EQ(dir->path(), dest_ / "a/b/c");
  created.clear();
  ASSERT_TRUE(Root().OpenSubdir("a/b", true, &created).ok());
  EXPECT_TRUE(created.empty()) << "existing directories are not reported";
}

TEST_F(DestinationDirTest, RefusesASymlinkOnTheWayAndWritesNothingThrough) {
  fs::create_directory_symlink(elsewhere_.path(), dest_ / "sub");
  for (const char* relative : {"sub", "sub/deeper"}) {
    Result<DestinationDir> dir = Root().OpenSubdir(relative, /*create=*/true);
    ASSERT_FALSE(dir.ok()) << relative;
    EXPECT_EQ(dir.status().code(), Status::Code::kFailedPrecondition);
    EXPECT_NE(dir.status().message().find((dest_ / "sub").string()), std::string::npos)
        << dir.status().message();
    EXPECT_NE(dir.status().message().find("symlink"), std::string::npos);
  }
  EXPECT_TRUE(fs::is_empty(elsewhere_.path()));
  EXPECT_TRUE(fs::is_symlink(dest_ / "sub")) << "the link is refused, not removed";
}

TEST_F(DestinationDirTest, TemporaryNamesAreShortHiddenAndFresh) {
  DestinationDir root = Root();
  Result<DestinationDir::TempFile> a = root.CreateTempFile(0644);
  Result<DestinationDir::TempFile> b = root.CreateTempFile(0644);
  Result<std::string> dir = root.CreateTempDir();
  Result<std::string> link = root.CreateTempLink("x");
  ASSERT_TRUE(a.ok() && b.ok() && dir.ok() && link.ok());
  EXPECT_NE(a->name, b->name);
  for (const std::string& name : {a->name, b->name, *dir, *link}) {
    EXPECT_EQ(name.front(), '.');
    EXPECT_LE(name.size(), 16u) << name;
    EXPECT_TRUE(IsTemporaryName(name)) << name;
  }
  EXPECT_FALSE(IsTemporaryName("model.onnx"));
}

TEST_F(DestinationDirTest, RenameReplacesALinkInsteadOfWritingThroughIt) {
  { std::ofstream(elsewhere_ / "target") << "outside"; }
  fs::create_symlink(elsewhere_ / "target", dest_ / "f");
  DestinationDir root = Root();
  Result<DestinationDir::TempFile> temp = root.CreateTempFile(0644);
  ASSERT_TRUE(temp.ok());
  ASSERT_EQ(::write(temp->fd.get(), "inside", 6), 6);
  ASSERT_TRUE(root.Rename(temp->name, "f", /*replace=*/true).ok());
  EXPECT_FALSE(fs::is_symlink(dest_ / "f"));
  std::ifstream outside(elsewhere_ / "target");
  std::string text;
  outside >> text;
  EXPECT_EQ(text, "outside");
}

TEST_F(DestinationDirTest, RenameWithoutReplaceLeavesAnExistingName) {
  fs::create_directory(dest_ / "taken");
  DestinationDir root = Root();
  Result<std::string> staging = root.CreateTempDir();
  ASSERT_TRUE(staging.ok());
  Status renamed = root.Rename(*staging, "taken", /*replace=*/false);
  EXPECT_EQ(renamed.code(), Status::Code::kAlreadyExists) << renamed.ToString();
  EXPECT_TRUE(fs::is_directory(dest_ / *staging));
}

TEST_F(DestinationDirTest, RemoveTreeRemovesLinksNotWhatTheyPointAt) {
  { std::ofstream(elsewhere_ / "keep") << "x"; }
  fs::create_directories(dest_ / "tree/inner");
  { std::ofstream(dest_ / "tree/inner/file") << "y"; }
  fs::create_directory_symlink(elsewhere_.path(), dest_ / "tree/link");
  ASSERT_TRUE(Root().RemoveTree("tree").ok());
  EXPECT_FALSE(fs::exists(dest_ / "tree"));
  EXPECT_TRUE(fs::exists(elsewhere_ / "keep"));
}

TEST_F(DestinationDirTest, ANameTooLongForTheFileSystemIsAClearError) {
  Result<DestinationDir> dir = Root().OpenSubdir(std::string(256, 'd'), /*create=*/true);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(dir.status().message().find("name too long"), std::string::npos)
      << dir.status().message();
}

}  // namespace
}  // namespace edgesync
