// Selective sync between real TLS daemons: an edge node subscribed to model/* with role=edge
// gets only the edge part of a joint-inference model and no datasets while a cloud node gets
// the cloud part; a relay holding only the edge part reports nothing wrong itself, while the
// wider node behind it says the cloud part cannot be served and fetches it once a node holding
// it connects; narrowing the subscriptions lets `gc` reclaim the chunks no longer wanted, and
// widening them again brings keys put meanwhile.
#include <signal.h>

#include <random>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string Noise(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i < size; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, std::min<size_t>(8, size - i));
  }
  return out;
}

constexpr size_t kEdgePartBytes = 256 << 10;
constexpr size_t kCloudPartBytes = 3 << 20;
constexpr size_t kDatasetBytes = 2 << 20;

class SelectiveSyncTest : public ClusterFixture {
 protected:
  // A joint-inference model (edge part small, cloud part large) and a dataset, put on `hub`.
  void PutJointModelAndDataset(TestNode& hub) {
    fs::path model = root() / "joint";
    MakeFile(model / "edge" / "model.tflite", Noise(kEdgePartBytes, 1));
    MakeFile(model / "cloud" / "model.onnx", Noise(kCloudPartBytes, 2));
    MakeFile(model / "labels.txt", "helmet\nhead\n");
    MakeFile(root() / "joint.json",
             R"({"task":"object_detection","labels":["helmet","head"],"parts":{)"
             R"("edge":{"placement":{"role":"edge"}},"cloud":{"placement":{"role":"cloud"}}}})");
    ProcessResult put = Cli(hub, {"put", "model/helmet", model.string(), "--spec",
                                  (root() / "joint.json").string()});
    ASSERT_EQ(put.exit_code, 0) << put.err;
    fs::path data = root() / "data";
    MakeFile(data / "blob.bin", Noise(kDatasetBytes, 3));
    MakeFile(data / "index.csv", "path,label\nblob.bin,1\n");
    ProcessResult put_data = Cli(hub, {"put", "dataset/site-a", data.string()});
    ASSERT_EQ(put_data.exit_code, 0) << put_data.err;
  }

  bool GetPart(const TestNode& node, const std::string& part, fs::path* out) {
    *out = root() / ("part-" + node.name + "-" + part + std::to_string(++gets_));
    return Cli(node, {"get", "model/helmet", out->string(), "--part", part}).exit_code == 0;
  }

  uint64_t BytesIn(const TestNode& node) {
    json peers = CliJson(node, {"peers"});
    uint64_t total = 0;
    if (peers.is_object())
      for (const json& p : peers["peers"]) total += p.value("bytes_in", uint64_t{0});
    return total;
  }

  int gets_ = 0;
};

TEST_F(SelectiveSyncTest, EdgeGetsTheEdgePartAndNoDatasetsCloudGetsTheCloudPart) {
  fs::path ca = MakeCa("ca", "sel-1");
  TestNode& hub = AddNode("hub", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  Start(hub);
  PutJointModelAndDataset(hub);
  Start(edge, {&hub}, {"--subscribe", "model/*", "--label", "role=edge"});
  Start(cloud, {&hub}, {"--label", "role=cloud"});

  fs::path out;
  ASSERT_TRUE(PollUntil([&] { return GetPart(edge, "edge", &out); })) << ReadFileText(edge.log());
  EXPECT_EQ(ReadFileText(out / "model.tflite"), Noise(kEdgePartBytes, 1));
  EXPECT_FALSE(GetPart(edge, "cloud", &out)) << "the cloud part is not placed on the edge";
  EXPECT_LT(BytesIn(edge), kCloudPartBytes / 2) << "cloud part bytes crossed to the edge";
  // The edge part checks out for an inference process; the cloud part is explained.
  ProcessResult checkout = Cli(edge, {"checkout", "model/helmet", (root() / "serving").string(),
                                      "--part", "edge"});
  EXPECT_EQ(checkout.exit_code, 0) << checkout.err;
  EXPECT_EQ(ReadFileText(root() / "serving" / "model.tflite"), Noise(kEdgePartBytes, 1));
  ProcessResult not_here = Cli(edge, {"checkout", "model/helmet", (root() / "serving-cloud").string(),
                                      "--part", "cloud"});
  EXPECT_NE(not_here.exit_code, 0);
  EXPECT_NE(not_here.err.find("part 'cloud' of model/helmet"), std::string::npos) << not_here.err;
  // The refusal says why and where the part is, for a part get and a whole get alike.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--part", "cloud"}, std::vector<std::string>{}}) {
    std::vector<std::string> get = {"get", "model/helmet", (root() / "why").string()};
    get.insert(get.end(), args.begin(), args.end());
    ProcessResult refused = Cli(edge, get);
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE(refused.err.find("part 'cloud' of model/helmet"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("is not placed on this node: it needs role=cloud, this node has "
                               "role=edge; peers holding this version: hub (connected)"),
              std::string::npos)
        << refused.err;
    EXPECT_FALSE(fs::exists(root() / "why")) << "a refused get leaves no destination";
  }

  ASSERT_TRUE(PollUntil([&] { return GetPart(cloud, "cloud", &out); })) << ReadFileText(cloud.log());
  EXPECT_EQ(ReadFileText(out / "model.onnx"), Noise(kCloudPartBytes, 2));
  EXPECT_FALSE(GetPart(cloud, "edge", &out)) << "the edge part is not placed on the cloud node";
  fs::path data;
  EXPECT_TRUE(WaitForGet(cloud, "dataset/site-a", &data));  // subscribed to everything

  // The edge never learns of the dataset: not subscribed.
  ASSERT_TRUE(WaitUntilRead(edge, hub)) << ReadFileText(edge.log());
  ProcessResult show = Cli(edge, {"show", "dataset/site-a"});
  EXPECT_NE(show.exit_code, 0) << show.out;
  // The spec (with its parts) is there for selection queries.
  json details = CliJson(edge, {"show", "model/helmet"});
  ASSERT_TRUE(details.is_object());
  EXPECT_TRUE(details["spec"].contains("parts")) << details;
}

TEST_F(SelectiveSyncTest, NarrowRelayDoesNotBlockAWiderNodeAndItSaysWhatCannotBeServed) {
  fs::path ca = MakeCa("ca", "sel-2");
  TestNode& hub = AddNode("hub", ca, "cloud");
  TestNode& relay = AddNode("relay", ca, "edge");
  TestNode& wide = AddNode("wide", ca, "cloud");
  Start(hub);
  PutJointModelAndDataset(hub);
  fs::path plain = root() / "plain";
  MakeFile(plain / "w.bin", Noise(64 << 10, 4));
  ASSERT_EQ(Cli(hub, {"put", "model/plain", plain.string()}).exit_code, 0);
  Start(relay, {&hub}, {"--subscribe", "model/*", "--label", "role=edge"});
  fs::path out;
  ASSERT_TRUE(PollUntil([&] { return GetPart(relay, "edge", &out); })) << ReadFileText(relay.log());
  ASSERT_TRUE(WaitForGet(relay, "model/plain", &out));

  // The wide node (role=cloud, every key) has only the relay as a neighbour.
  Start(wide, {&relay}, {"--label", "role=cloud"});
  ASSERT_TRUE(WaitForGet(wide, "model/plain", &out)) << ReadFileText(wide.log());
  EXPECT_EQ(ReadFileText(out / "w.bin"), Noise(64 << 10, 4));
  json where;
  ASSERT_TRUE(PollUntil([&] {
    where = CliJson(wide, {"where", "model/helmet"});
    return where.is_object() && where["unserved"].size() == 1;
  })) << where << ReadFileText(wide.log());
  EXPECT_NE(where["unserved"][0]["reason"].get<std::string>().find("no connected peer holds it"),
            std::string::npos) << where;
  ProcessResult where_human = Cli(wide, {"where", "model/helmet"});
  EXPECT_NE(where_human.out.find("cannot be served"), std::string::npos) << where_human.out;
  json status = CliJson(wide, {"status"});
  ASSERT_TRUE(status.is_object());
  ASSERT_EQ(status["unserved"].size(), 1u) << status;
  EXPECT_EQ(status["unserved"][0]["key"], "model/helmet");
  ProcessResult status_human = Cli(wide, {"status"});
  EXPECT_NE(status_human.out.find("model/helmet version"), std::string::npos) << status_human.out;
  EXPECT_NE(status_human.out.find("cannot be served"), std::string::npos) << status_human.out;
  // The relay itself wants nothing it cannot get.
  json relay_status = CliJson(relay, {"status"});
  ASSERT_TRUE(relay_status.is_object());
  EXPECT_TRUE(relay_status["unserved"].empty()) << relay_status;

  // A node holding the cloud part connects: the wide node fetches it there, and the dataset.
  ASSERT_EQ(Stop(hub), 0);
  Start(hub, {&wide});
  ASSERT_TRUE(PollUntil([&] { return GetPart(wide, "cloud", &out); })) << ReadFileText(wide.log());
  EXPECT_EQ(ReadFileText(out / "model.onnx"), Noise(kCloudPartBytes, 2));
  EXPECT_TRUE(WaitForGet(wide, "dataset/site-a", &out));
  EXPECT_TRUE(PollUntil([&] {
    json s = CliJson(wide, {"status"});
    return s.is_object() && s["unserved"].empty();
  }));
}

TEST_F(SelectiveSyncTest, NarrowedSubscriptionsReleaseChunksToGc) {
  fs::path ca = MakeCa("ca", "sel-3");
  TestNode& hub = AddNode("hub", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(hub);
  PutJointModelAndDataset(hub);
  fs::path config = root() / "edge.toml";
  WriteFileText(config, "[sync]\nsubscriptions = [\"model/*\", \"dataset/*\"]\n[node]\nlabels = { role = \"edge\" }\n");
  Start(edge, {&hub}, {"--config", config.string()});
  fs::path out;
  ASSERT_TRUE(WaitForGet(edge, "dataset/site-a", &out)) << ReadFileText(edge.log());
  ASSERT_TRUE(PollUntil([&] { return GetPart(edge, "edge", &out); }));
  json gc = CliJson(edge, {"gc"});
  ASSERT_TRUE(gc.is_object());
  EXPECT_EQ(gc["bytes_deleted"].get<uint64_t>(), 0u) << "nothing is unwanted yet: " << gc;

  // Narrow to models only (SIGHUP): the dataset's chunks are no longer roots.
  WriteFileText(config, "[sync]\nsubscriptions = [\"model/*\"]\n[node]\nlabels = { role = \"edge\" }\n");
  edge.process->Signal(SIGHUP);
  ASSERT_TRUE(PollUntil([&] {
    json s = CliJson(edge, {"status"});
    return s.is_object() && s["subscriptions"].size() == 1;
  }));
  gc = CliJson(edge, {"gc"});
  ASSERT_TRUE(gc.is_object());
  EXPECT_GE(gc["bytes_deleted"].get<uint64_t>(), kDatasetBytes) << gc;
  EXPECT_LT(gc["bytes_deleted"].get<uint64_t>(), kDatasetBytes + kEdgePartBytes) << gc;
  EXPECT_NE(Cli(edge, {"get", "dataset/site-a", (root() / "gone").string()}).exit_code, 0);
  EXPECT_EQ(CliJson(edge, {"show", "dataset/site-a"}).is_object(), true) << "its spec stays";
  EXPECT_TRUE(GetPart(edge, "edge", &out)) << "the model's edge part is still wanted";
  EXPECT_EQ(ReadFileText(out / "model.tflite"), Noise(kEdgePartBytes, 1));

  // A dataset put while the edge does not want datasets arrives once a reload widens again:
  // the widening resets the checkpoints and re-reads the hub's log from the start.
  fs::path later = root() / "later";
  MakeFile(later / "index.csv", "path,label\nx.bin,1\n");
  MakeFile(later / "x.bin", Noise(64 << 10, 5));
  ASSERT_EQ(Cli(hub, {"put", "dataset/site-b", later.string()}).exit_code, 0);
  ASSERT_TRUE(WaitUntilRead(edge, hub)) << ReadFileText(edge.log());  // seen and filtered out
  EXPECT_NE(Cli(edge, {"show", "dataset/site-b"}).exit_code, 0) << "not subscribed yet";
  WriteFileText(config, "[sync]\nsubscriptions = [\"model/*\", \"dataset/*\"]\n[node]\nlabels = { role = \"edge\" }\n");
  edge.process->Signal(SIGHUP);
  ASSERT_TRUE(WaitForGet(edge, "dataset/site-b", &out)) << ReadFileText(edge.log());
  EXPECT_EQ(ReadFileText(out / "x.bin"), Noise(64 << 10, 5));
}

}  // namespace
}  // namespace edgesync::testing
