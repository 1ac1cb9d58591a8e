#include "tests/integration/conflict/partition_fixture.h"

#include <algorithm>

#include "tests/support/poll_until.h"

namespace edgesync::testing {

namespace fs = std::filesystem;
using nlohmann::json;

void PartitionFixture::StartLinked() {
  fs::path ca = MakeCa("ca", "factory-1");
  a_ = &AddNode("node-a", ca, "cloud");
  b_ = &AddNode("node-b", ca, "cloud");
  Start(*a_);
  Start(*b_, {a_});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(*a_) == 1 && ConnectedPeers(*b_) == 1; }))
      << ReadFileText(b_->log());
}

void PartitionFixture::Partition() {
  ASSERT_EQ(Stop(*b_), 0);
  Start(*b_);  // no --peer: b does not dial, a never dials
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(*a_) == 0; }));
  ASSERT_EQ(ConnectedPeers(*b_), 0u);
}

void PartitionFixture::Heal() {
  ASSERT_EQ(Stop(*b_), 0);
  Start(*b_, {a_});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(*a_) == 1 && ConnectedPeers(*b_) == 1; },
                        std::chrono::seconds(60)))
      << ReadFileText(b_->log());
}

std::vector<std::string> PartitionFixture::Heads(const TestNode& node, const std::string& key) {
  json shown = CliJson(node, {"show", key});
  std::vector<std::string> ids;
  if (!shown.is_object()) return ids;
  for (const json& head : shown.value("heads", json::array())) {
    ids.push_back(head.value("version", ""));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool PartitionFixture::ConvergedOnOneHead(const std::string& key, std::string* version,
                                          std::chrono::milliseconds timeout) {
  return PollUntil(
      [&] {
        std::vector<std::string> on_a = Heads(*a_, key);
        std::vector<std::string> on_b = Heads(*b_, key);
        if (on_a.size() != 1 || on_a != on_b) return false;
        *version = on_a.front();
        return true;
      },
      timeout);
}

void PartitionFixture::PutModel(const TestNode& node, const std::string& key, double map,
                                const std::string& weights) {
  fs::path dir = root() / ("src-" + std::to_string(++dirs_));
  MakeFile(dir / "model" / "weights.bin", weights);
  MakeFile(dir / "spec.json",
           R"({"task":"object_detection","labels":["helmet"],"metrics":{"mAP":)" +
               std::to_string(map) + "}}");
  ProcessResult put = Cli(node, {"put", key, (dir / "model").string(), "--spec",
                                 (dir / "spec.json").string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
}

void PartitionFixture::PutDataset(const TestNode& node, const std::string& key,
                                  const std::string& row) {
  fs::path dir = root() / ("src-" + std::to_string(++dirs_));
  MakeFile(dir / "data.csv", "value,label\n" + row + "\n");
  ProcessResult put = Cli(node, {"put", key, dir.string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
}

std::string PartitionFixture::ReadLatest(const TestNode& node, const std::string& key,
                                         const std::string& name) {
  fs::path dest = root() / ("out-" + std::to_string(++dirs_));
  ProcessResult get = Cli(node, {"get", key, dest.string()});
  if (get.exit_code != 0) return "<get failed: " + get.err + ">";
  return ReadFileText(dest / name);
}

}  // namespace edgesync::testing
