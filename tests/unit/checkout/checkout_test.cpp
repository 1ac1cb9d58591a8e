// CheckoutSwitcher against a real store: readers keep a complete version for the grace period
// however fast the link switches, the old-version limit holds, no link below the target is
// ever followed, and a target holds one part of a joint model.
#include "checkout/checkout.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "tests/support/test_content.h"

namespace edgesync {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::TempDir;

constexpr int kFiles = 10;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string FileName(int i) { return "layer" + std::to_string(i) + ".bin"; }

std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class CheckoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options;
    options.path = data_ / "store";
    options.node_id = "node-a";
    options.retention.defaults.keep_versions = 1000;
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    pins_ = std::make_unique<CheckoutPins>(*store_, data_ / "checkouts.json");
    locator_ = std::make_unique<PartLocator>(*store_, nullptr, nullptr);
  }
  void UseRetention(CheckoutRetentionPolicy policy, bool fake_clock) {
    std::function<CheckoutSwitcher::Clock::time_point()> now = CheckoutSwitcher::Clock::now;
    if (fake_clock) now = [this] { return fake_now_; };
    switcher_ = std::make_unique<CheckoutSwitcher>(*store_, *pins_, *locator_, policy, now);
  }
  // A new version of model/m whose every file says "version <n>".
  std::string PutVersion(int n) {
    fs::path dir = src_ / std::to_string(n);
    fs::create_directories(dir);
    for (int i = 0; i < kFiles; ++i) {
      std::ofstream(dir / FileName(i)) << "version " << n << " file " << i;
    }
    auto v = store_->Put(Key(), dir, "{}");
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->id : "";
  }
  Result<CheckoutResult> Checkout(const std::string& version_id) {
    return switcher_->Checkout(Key(), target(), version_id, "", control_);
  }
  // A joint model: an edge part of two files and a cloud part of one.
  std::string PutJointVersion() {
    fs::path dir = src_ / "joint";
    fs::create_directories(dir / "edge" / "labels");
    fs::create_directories(dir / "cloud");
    std::ofstream(dir / "edge" / "model.tflite") << "edge model";
    std::ofstream(dir / "edge" / "labels" / "classes.txt") << "helmet\nhead";
    std::ofstream(dir / "cloud" / "model.onnx") << "cloud model";
    auto v = store_->Put(Key(), dir,
                         R"({"parts":{"edge":{"placement":{"role":"edge"}},)"
                         R"("cloud":{"placement":{"role":"cloud"}}}})");
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->id : "";
  }
  Result<CheckoutResult> CheckoutPart(const std::string& version_id, const std::string& part) {
    return switcher_->Checkout(Key(), target(), version_id, part, control_);
  }
  static ObjectKey Key() { return ObjectKey::Parse("model/m").value(); }
  fs::path target() const { return out_ / "serving"; }
  fs::path versions() const { return out_ / "serving.versions"; }

  TempDir data_, src_, out_{"/dev/shm"}, elsewhere_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<CheckoutPins> pins_;
  std::unique_ptr<PartLocator> locator_;
  std::unique_ptr<CheckoutSwitcher> switcher_;
  TransferControl control_;
  CheckoutSwitcher::Clock::time_point fake_now_{};
};

// The reader of the issue: it resolves the link once, then takes ~0.2 s to load the version's
// files one by one while the link keeps switching. Keeping only the previous version (the old
// rule) removed its directory under it within a few switches.
TEST_F(CheckoutTest, SlowReaderSeesOneCompleteVersionWhileTheLinkSwitchesRapidly) {
  UseRetention({5s, 1000}, /*fake_clock=*/false);
  int next = 0;
  ASSERT_TRUE(Checkout(PutVersion(next++)).ok());
  std::atomic<int> switches{0};
  std::atomic<bool> reader_done{false};
  int most_switches_in_one_read = 0;
  std::string failure;
  std::thread reader([&] {
    // At least 12 reads, and on until one of them saw two switches (bounded: a slow machine).
    const auto give_up = std::chrono::steady_clock::now() + 15s;
    for (int pass = 0; failure.empty() && (pass < 12 || most_switches_in_one_read < 2) &&
                       std::chrono::steady_clock::now() < give_up;
         ++pass) {
      fs::path version_dir = target().parent_path() / fs::read_symlink(target());
      int switches_before = switches.load();
      std::string expected_version;
      for (int i = 0; i < kFiles; ++i) {
        std::this_thread::sleep_for(20ms);  // the reader's own slowness, not a wait
        std::string content = ReadAll(version_dir / FileName(i));
        std::string version = content.substr(0, content.find(" file"));
        if (i == 0) expected_version = version;
        if (content.empty() || version != expected_version ||
            content != version + " file " + std::to_string(i)) {
          failure = version_dir.string() + "/" + FileName(i) + ": '" + content + "'";
          break;
        }
      }
      most_switches_in_one_read = std::max(most_switches_in_one_read, switches.load() - switches_before);
    }
    reader_done = true;
  });
  while (!reader_done) {
    Result<CheckoutResult> switched = Checkout(PutVersion(next++));
    if (!switched.ok()) {
      ADD_FAILURE() << switched.status().ToString();
      break;
    }
    ++switches;
  }
  reader.join();
  EXPECT_EQ(failure, "") << "a reader lost its version";
  EXPECT_GE(most_switches_in_one_read, 2) << "the link never switched twice during a read";
}

TEST_F(CheckoutTest, OldVersionsStayForTheGracePeriodThenGo) {
  UseRetention({60s, 8}, /*fake_clock=*/true);
  std::vector<std::string> ids;
  for (int n = 0; n < 5; ++n) ids.push_back(PutVersion(n));
  ASSERT_TRUE(Checkout(ids[0]).ok());
  ASSERT_TRUE(Checkout(ids[1]).ok());
  ASSERT_TRUE(Checkout(ids[2]).ok());
  fake_now_ += 59s;
  ASSERT_TRUE(Checkout(ids[3]).ok());
  EXPECT_EQ(Entries(versions()).size(), 4u) << "all still within their grace period";
  fake_now_ += 2s;
  ASSERT_TRUE(Checkout(ids[4]).ok());
  std::vector<std::string> expected{ids[2], ids[3], ids[4]};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Entries(versions()), expected) << "the two retired 61 s ago are gone";
}

// A deployment switches to a staged version and reports it before anything is made durable:
// the pin and the removal of expired versions wait for Settle, which fsyncs first.
TEST_F(CheckoutTest, ASwitchToSettleLaterLeavesThePinAndOldVersionsToSettle) {
  UseRetention({60s, 8}, /*fake_clock=*/true);
  std::vector<std::string> ids;
  for (int n = 0; n < 3; ++n) ids.push_back(PutVersion(n));
  ASSERT_TRUE(Checkout(ids[0]).ok());
  ASSERT_TRUE(Checkout(ids[1]).ok());
  ASSERT_TRUE(switcher_->Stage(Key(), target(), ids[2], "", control_).ok());
  fake_now_ += 61s;  // ids[0] left the link 61 s ago: expired
  auto pinned_manifest = [&] {
    std::ifstream in(data_ / "checkouts.json");
    return nlohmann::json::parse(in).value(target().string(), "");
  };
  auto manifest_of = [&](const std::string& id) { return store_->GetVersion(Key(), id)->record.manifest_id.Hex(); };
  ASSERT_EQ(pinned_manifest(), manifest_of(ids[1]));

  Result<CheckoutResult> switched =
      switcher_->Checkout(Key(), target(), ids[2], "", control_, CheckoutSwitcher::Durability::kAtSettle);
  ASSERT_TRUE(switched.ok()) << switched.status().ToString();
  EXPECT_EQ(CurrentCheckoutVersion(target()), ids[2]);
  EXPECT_EQ(testing::ReadFileText(target() / FileName(0)), "version 2 file 0");
  EXPECT_EQ(pinned_manifest(), manifest_of(ids[1])) << "pinned at Settle, not before";
  EXPECT_EQ(Entries(versions()).size(), 3u) << "nothing removed before Settle";

  switcher_->Settle(target());
  EXPECT_EQ(pinned_manifest(), manifest_of(ids[2]));
  std::vector<std::string> expected{ids[1], ids[2]};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Entries(versions()), expected) << "the expired one is gone, the one just left stays";
}

TEST_F(CheckoutTest, ASwitchNeedingMoreThanTheLimitIsRefusedNotCutShort) {
  UseRetention({60s, 2}, /*fake_clock=*/true);
  std::vector<std::string> ids;
  for (int n = 0; n < 4; ++n) ids.push_back(PutVersion(n));
  for (int n = 0; n < 3; ++n) ASSERT_TRUE(Checkout(ids[n]).ok());
  Result<CheckoutResult> refused = Checkout(ids[3]);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("checkout.max_old_versions"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(CurrentCheckoutVersion(target()), ids[2]);
  EXPECT_FALSE(fs::exists(versions() / ids[3]));
  // Back to a version still on disk adds no directory: allowed.
  ASSERT_TRUE(Checkout(ids[0]).ok());
  fake_now_ += 60s;
  ASSERT_TRUE(Checkout(ids[3]).ok());
  std::vector<std::string> expected{ids[0], ids[3]};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Entries(versions()), expected);
}

TEST_F(CheckoutTest, SymlinkedVersionsDirectoryIsRefused) {
  UseRetention({}, false);
  fs::create_directory_symlink(elsewhere_.path(), versions());
  Result<CheckoutResult> result = Checkout(PutVersion(1));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(result.status().message().find(versions().string()), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(fs::is_empty(elsewhere_.path()));
  EXPECT_FALSE(fs::exists(fs::symlink_status(target())));
}

TEST_F(CheckoutTest, SymlinkInPlaceOfAVersionDirectoryIsRefused) {
  UseRetention({}, false);
  std::string id = PutVersion(1);
  fs::create_directories(versions());
  fs::create_directory_symlink(elsewhere_.path(), versions() / id);
  Result<CheckoutResult> result = Checkout(id);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find((versions() / id).string()), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(fs::is_empty(elsewhere_.path()));
  EXPECT_FALSE(fs::exists(fs::symlink_status(target())));
}

TEST_F(CheckoutTest, ALinkAtTheTargetIsReplacedNotFollowed) {
  UseRetention({}, false);
  fs::create_directory_symlink(elsewhere_.path(), target());
  std::string id = PutVersion(1);
  ASSERT_TRUE(Checkout(id).ok());
  EXPECT_EQ(CurrentCheckoutVersion(target()), id);
  EXPECT_TRUE(fs::is_empty(elsewhere_.path()));
}

TEST_F(CheckoutTest, LeftoversOfAnInterruptedCheckoutAreRemovedAtTheNextSwitch) {
  UseRetention({}, false);
  fs::create_directories(versions() / ".es-stage-AbC123");
  std::ofstream(versions() / ".es-stage-AbC123" / "half") << "x";
  std::string id = PutVersion(1);
  ASSERT_TRUE(Checkout(id).ok());
  EXPECT_EQ(Entries(versions()), std::vector<std::string>{id});
}

TEST_F(CheckoutTest, ATargetNameWithNoRoomForItsVersionsDirectoryIsAClearError) {
  UseRetention({}, false);
  std::string id = PutVersion(1);
  Result<CheckoutResult> result =
      switcher_->Checkout(Key(), out_ / std::string(250, 't'), id, "", control_);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(result.status().message().find("name too long"), std::string::npos)
      << result.status().message();
}

TEST_F(CheckoutTest, APartIsCheckedOutWithoutItsPrefix) {
  UseRetention({}, false);
  std::string id = PutJointVersion();
  Result<CheckoutResult> result = CheckoutPart(id, "edge");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->part, "edge");
  EXPECT_EQ(result->files, 2u);
  EXPECT_EQ(result->bytes, std::string("edge model").size() + std::string("helmet\nhead").size());
  EXPECT_EQ(Entries(target()), (std::vector<std::string>{"labels", "model.tflite"}));
  EXPECT_EQ(ReadAll(target() / "model.tflite"), "edge model");
  EXPECT_EQ(ReadAll(target() / "labels" / "classes.txt"), "helmet\nhead");
  EXPECT_EQ(ReadAll(versions() / ".part"), "edge\n");
  // The next version of the same part goes into the same target.
  fs::remove_all(src_ / "joint");
  std::string next = PutJointVersion();
  ASSERT_TRUE(CheckoutPart(next, "edge").ok());
  EXPECT_EQ(CurrentCheckoutVersion(target()), next);
}

TEST_F(CheckoutTest, AnotherPartIntoTheSameTargetIsRefused) {
  UseRetention({}, false);
  std::string id = PutJointVersion();
  ASSERT_TRUE(CheckoutPart(id, "edge").ok());
  for (const std::string part : {"cloud", ""}) {
    Result<CheckoutResult> refused = CheckoutPart(id, part);
    ASSERT_FALSE(refused.ok()) << "part '" << part << "'";
    EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
    const std::string& text = refused.status().message();
    EXPECT_NE(text.find("it holds part 'edge'"), std::string::npos) << text;
    EXPECT_NE(text.find("a target holds one part"), std::string::npos) << text;
  }
  EXPECT_EQ(Entries(target()), (std::vector<std::string>{"labels", "model.tflite"}));
  EXPECT_EQ(Entries(versions()), (std::vector<std::string>{".part", id}));
  // A target that held every file (no marker) refuses a part too.
  fs::path whole = out_ / "whole";
  ASSERT_TRUE(switcher_->Checkout(Key(), whole, id, "", control_).ok());
  Result<CheckoutResult> refused = switcher_->Checkout(Key(), whole, id, "edge", control_);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("it holds every file"), std::string::npos)
      << refused.status().message();
  // Once the version directories are gone, the target takes another part.
  fs::remove(target());
  fs::remove_all(versions() / id);
  ASSERT_TRUE(CheckoutPart(id, "cloud").ok());
  EXPECT_EQ(Entries(target()), std::vector<std::string>{"model.onnx"});
  EXPECT_EQ(ReadAll(versions() / ".part"), "cloud\n");
}

TEST_F(CheckoutTest, APartTheVersionLacksIsAClearError) {
  UseRetention({}, false);
  std::string id = PutJointVersion();
  Result<CheckoutResult> missing = CheckoutPart(id, "gpu");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("has no part 'gpu' (no files under 'gpu/')"),
            std::string::npos)
      << missing.status().message();
  EXPECT_FALSE(fs::exists(versions())) << "nothing is written for a part that is not there";
  // A plain model has no parts at all.
  Result<CheckoutResult> plain = CheckoutPart(PutVersion(1), "edge");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), Status::Code::kNotFound);
  // A part name is a name, never a path.
  for (const std::string bad : {"../edge", "edge/labels", "Edge"}) {
    Result<CheckoutResult> refused = CheckoutPart(id, bad);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), Status::Code::kInvalidArgument) << bad;
  }
}

TEST_F(CheckoutTest, APartNotPlacedHereSaysSo) {
  UseRetention({}, false);
  std::string id = PutJointVersion();
  // As on an edge node: the cloud part's chunks were never fetched.
  Result<VersionInfo> version = store_->GetVersion(Key(), id);
  ASSERT_TRUE(version.ok());
  Result<Manifest> manifest = store_->ReadManifest(version->record.manifest_id);
  ASSERT_TRUE(manifest.ok());
  for (const FileEntry& f : manifest->files) {
    if (f.path.rfind("cloud/", 0) == 0) {
      ASSERT_TRUE(store_->chunks().Erase({f.chunks[0].id}).ok());
    }
  }
  Result<CheckoutResult> refused = CheckoutPart(id, "cloud");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kNotFound);
  EXPECT_NE(refused.status().message().find("part 'cloud' of model/m version " + id +
                                            " is not placed on this node"),
            std::string::npos)
      << refused.status().message();
  EXPECT_FALSE(fs::exists(fs::symlink_status(target())));
  // The edge part is all here: it checks out (into a target of its own).
  ASSERT_TRUE(switcher_->Checkout(Key(), out_ / "edge", id, "edge", control_).ok());
}

TEST_F(CheckoutTest, ASymlinkedPartMarkerIsRefusedNotFollowed) {
  UseRetention({}, false);
  std::string id = PutJointVersion();
  fs::create_directories(versions());
  std::ofstream(elsewhere_.path() / "marker") << "edge\n";
  fs::create_symlink(elsewhere_.path() / "marker", versions() / ".part");
  Result<CheckoutResult> refused = CheckoutPart(id, "cloud");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find((versions() / ".part").string()), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(ReadAll(elsewhere_.path() / "marker"), "edge\n");
  EXPECT_FALSE(fs::exists(fs::symlink_status(target())));
}

}  // namespace
}  // namespace edgesync
