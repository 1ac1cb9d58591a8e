#include "checkout/part_locator.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// A joint-inference model whose cloud part's chunks are missing, as on an edge node.
class PartLocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = data_ / "store";
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    fs::create_directories(src_ / "edge");
    fs::create_directories(src_ / "cloud");
    std::ofstream(src_ / "edge/model.tflite") << "small";
    std::ofstream(src_ / "cloud/model.onnx") << "large";
    auto v = store_->Put(ObjectKey::Parse("model/helmet").value(), src_.path(),
                         R"({"parts":{"edge":{"placement":{"role":"edge"}},)"
                         R"("cloud":{"placement":{"role":"cloud"}}}})");
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    version_ = *v;
    auto manifest = store_->ReadManifest(version_.record.manifest_id);
    ASSERT_TRUE(manifest.ok());
    for (const FileEntry& f : manifest->files) {
      if (f.path.rfind("cloud/", 0) == 0) {
        ASSERT_TRUE(store_->chunks().Erase({f.chunks[0].id}).ok());
      }
    }
  }
  PartLocator Locator(std::map<std::string, std::string> labels) {
    return PartLocator(
        *store_, [labels] { return labels; },
        [](const std::string&, const std::string&) {
          return std::vector<replication::PeerHolding>{
              {"hub", {}, true, true},
              {"cloud-1", {{"role", "cloud"}}, false, true},
              {"cloud-2", {{"role", "cloud"}}, true, false},  // an older version only
          };
        });
  }
  Status Get(const std::string& prefix) {
    GetOptions options;
    options.path_prefix = prefix;
    options.strip_prefix = !prefix.empty();
    return store_->Materialize(version_, out_ / "get", options);
  }

  TempDir data_, src_, out_;
  std::unique_ptr<Store> store_;
  VersionInfo version_;
};

TEST_F(PartLocatorTest, SaysThePartIsNotPlacedHereAndWhoHoldsIt) {
  Status failure = Get("cloud/");
  ASSERT_EQ(failure.code(), Status::Code::kNotFound);
  Status explained = Locator({{"role", "edge"}}).Explain(version_, "cloud/", failure);
  EXPECT_EQ(explained.code(), Status::Code::kNotFound);
  const std::string& text = explained.message();
  EXPECT_NE(text.find("part 'cloud' of model/helmet version " + version_.id +
                      " is not placed on this node"), std::string::npos) << text;
  EXPECT_NE(text.find("it needs role=cloud, this node has role=edge"), std::string::npos) << text;
  EXPECT_NE(text.find("cloud-1 (not connected, labels fit the part), hub (connected)"),
            std::string::npos) << text;
  EXPECT_EQ(text.find("cloud-2"), std::string::npos) << "it does not hold this version";
}

TEST_F(PartLocatorTest, AWholeGetIsExplainedByThePartItLacks) {
  Status explained = Locator({{"role", "edge"}}).Explain(version_, "", Get(""));
  EXPECT_NE(explained.message().find("part 'cloud'"), std::string::npos) << explained.message();
}

TEST_F(PartLocatorTest, OtherFailuresPassThrough) {
  PartLocator locator = Locator({{"role", "edge"}});
  Status corrupt = Status::Corruption("bad bytes");
  EXPECT_EQ(locator.Explain(version_, "cloud/", corrupt).message(), "bad bytes");
  // On a node whose labels fit the cloud part, a missing chunk is just that.
  Status failure = Get("cloud/");
  EXPECT_EQ(Locator({{"role", "cloud"}}).Explain(version_, "cloud/", failure).message(),
            failure.message());
}

TEST_F(PartLocatorTest, NoKnownHolderIsSaid) {
  PartLocator locator(*store_, [] { return PartLocator::Labels{}; }, nullptr);
  Status explained = locator.Explain(version_, "cloud/", Get("cloud/"));
  EXPECT_NE(explained.message().find("this node has no labels; no peer known to this node holds "
                                     "this version"), std::string::npos) << explained.message();
}

}  // namespace
}  // namespace edgesync
