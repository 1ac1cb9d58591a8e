// Store::Materialize: all or nothing, never through a symlink, any name a file system holds.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "store/store.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

namespace fs = std::filesystem;
using testing::RandomBytes;
using testing::TempDir;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, const std::string& data, mode_t mode = 0644) {
  fs::create_directories(p.parent_path());
  { std::ofstream(p, std::ios::binary) << data; }
  ::chmod(p.c_str(), mode);
}

// Every name below `dir`, relative, sorted (a snapshot to compare before and after).
std::vector<std::string> Listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    std::string name = fs::relative(entry.path(), dir).string();
    if (entry.is_regular_file()) name += "=" + ReadAll(entry.path());
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

class MaterializeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = data_ / "store";
    options.node_id = "node-a";
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  // A version with a.bin, b.bin and sub/c.bin, each a few chunks long.
  VersionInfo PutThreeFiles() {
    WriteFile(src_ / "a.bin", RandomBytes(300 << 10, 1));
    WriteFile(src_ / "b.bin", RandomBytes(300 << 10, 2));
    WriteFile(src_ / "sub/c.bin", RandomBytes(300 << 10, 3));
    auto v = store_->Put(Key("model/three"), src_.path(), "{}");
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return *v;
  }
  void EraseLastChunkOf(const VersionInfo& version, const std::string& path) {
    auto manifest = store_->ReadManifest(version.record.manifest_id);
    ASSERT_TRUE(manifest.ok());
    for (const FileEntry& f : manifest->files) {
      if (f.path == path) {
        ASSERT_TRUE(store_->chunks().Erase({f.chunks.back().id}).ok());
      }
    }
  }
  TempDir data_, src_, out_, elsewhere_;
  std::unique_ptr<Store> store_;
};

TEST_F(MaterializeTest, NewDestinationAppearsWhole) {
  VersionInfo v = PutThreeFiles();
  uint64_t reported = 0;
  GetOptions options;
  options.fsync = true;
  options.progress = [&](uint64_t bytes) { reported += bytes; };
  ASSERT_TRUE(store_->Materialize(v, out_ / "new/model", options).ok());
  EXPECT_EQ(ReadAll(out_ / "new/model/sub/c.bin"), RandomBytes(300 << 10, 3));
  EXPECT_EQ(reported, 900u << 10);
  EXPECT_EQ(Listing(out_ / "new").size(), 5u) << "model, a.bin, b.bin, sub, sub/c.bin only";
}

TEST_F(MaterializeTest, CancelledMidwayLeavesNoNewDestinationAndNoStaging) {
  VersionInfo v = PutThreeFiles();
  GetOptions options;
  uint64_t written = 0;
  options.progress = [&](uint64_t bytes) { written += bytes; };
  options.cancelled = [&] { return written > (400u << 10); };  // inside b.bin
  Status s = store_->Materialize(v, out_ / "model", options);
  EXPECT_EQ(s.code(), Status::Code::kAborted) << s.ToString();
  EXPECT_TRUE(fs::is_empty(out_.path())) << "neither the destination nor a staging directory";
}

TEST_F(MaterializeTest, MissingChunkMidwayLeavesAnExistingDestinationAsItWas) {
  VersionInfo v = PutThreeFiles();
  EraseLastChunkOf(v, "sub/c.bin");
  WriteFile(out_ / "b.bin", "old b");
  WriteFile(out_ / "keep.txt", "mine");
  std::vector<std::string> before = Listing(out_.path());
  Status s = store_->Materialize(v, out_.path());
  EXPECT_EQ(s.code(), Status::Code::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("sub/c.bin"), std::string::npos) << s.message();
  EXPECT_EQ(Listing(out_.path()), before) << "no file replaced, no temporary, no new directory";
}

TEST_F(MaterializeTest, MissingChunkLeavesNoNewDestination) {
  VersionInfo v = PutThreeFiles();
  EraseLastChunkOf(v, "b.bin");
  EXPECT_FALSE(store_->Materialize(v, out_ / "model").ok());
  EXPECT_TRUE(fs::is_empty(out_.path()));
}

TEST_F(MaterializeTest, SymlinkInsideTheDestinationIsRefusedAndNothingIsWrittenOutside) {
  VersionInfo v = PutThreeFiles();
  fs::create_directory_symlink(elsewhere_.path(), out_ / "sub");
  std::vector<std::string> before = Listing(out_.path());
  Status s = store_->Materialize(v, out_.path());
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find((out_ / "sub").string()), std::string::npos) << s.message();
  EXPECT_TRUE(fs::is_empty(elsewhere_.path()));
  EXPECT_EQ(Listing(out_.path()), before) << "a.bin and b.bin were not put in place either";
}

TEST_F(MaterializeTest, SymlinkAsTheDestinationIsRefused) {
  VersionInfo v = PutThreeFiles();
  fs::create_directory_symlink(elsewhere_.path(), out_ / "model");
  Status s = store_->Materialize(v, out_ / "model");
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.ToString();
  EXPECT_TRUE(fs::is_empty(elsewhere_.path()));
}

TEST_F(MaterializeTest, SymlinkAtAFileNameIsReplacedNotWrittenThrough) {
  VersionInfo v = PutThreeFiles();
  WriteFile(elsewhere_ / "target", "outside");
  fs::create_symlink(elsewhere_ / "target", out_ / "a.bin");
  ASSERT_TRUE(store_->Materialize(v, out_.path()).ok());
  EXPECT_FALSE(fs::is_symlink(out_ / "a.bin"));
  EXPECT_EQ(ReadAll(out_ / "a.bin"), RandomBytes(300 << 10, 1));
  EXPECT_EQ(ReadAll(elsewhere_ / "target"), "outside");
}

TEST_F(MaterializeTest, LongestNamesRoundTripIntoNewAndExistingDestinations) {
  const std::string dir(255, 'd'), name250(250, 'n'), name255(255, 'm');
  WriteFile(src_ / name250, "two hundred fifty");
  WriteFile(src_ / dir / name255, "two hundred fifty-five");
  auto v = store_->Put(Key("model/long"), src_.path(), "{}");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_TRUE(store_->Materialize(*v, out_ / "fresh").ok());
  EXPECT_EQ(ReadAll(out_ / "fresh" / name250), "two hundred fifty");
  EXPECT_EQ(ReadAll(out_ / "fresh" / dir / name255), "two hundred fifty-five");
  ASSERT_TRUE(store_->Materialize(*v, out_.path()).ok()) << "over an existing directory";
  EXPECT_EQ(ReadAll(out_ / dir / name255), "two hundred fifty-five");
}

TEST_F(MaterializeTest, NamesNoFileSystemHoldsAreRefusedAtPut) {
  WriteFile(src_ / "f", "x");
  for (const std::string& path : {std::string(256, 'n'), std::string(256, 'd') + "/f"}) {
    auto v = store_->PutFiles(Key("model/too-long"), {{src_ / "f", path}}, "{}");
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(v.status().message().find("256 bytes, longer than the 255 allowed"), std::string::npos)
        << v.status().message();
  }
  EXPECT_TRUE(store_->Heads(Key("model/too-long")).status().IsNotFound());
}

TEST_F(MaterializeTest, PermissionBitsAreKeptSetIdBitsAreNot) {
  WriteFile(src_ / "run", "#!/bin/sh\n", 04755);
  auto v = store_->Put(Key("model/modes"), src_.path(), "{}");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(store_->Materialize(*v, out_ / "m").ok());
  EXPECT_EQ(fs::status(out_ / "m/run").permissions(), fs::perms(0755));
}

}  // namespace
}  // namespace edgesync
