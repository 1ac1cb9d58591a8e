// edgesyncd's status address end to end: two TLS nodes, a WebSocket client on one, a put on
// the other; deployments in the snapshot and as events; token and Origin refusals; the
// loopback-only rule without a token.
#include <cstdlib>
#include <random>

#include "base/exit_codes.h"
#include "tests/integration/status/status_client.h"
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class DaemonStatusTest : public ClusterFixture {
 protected:
  uint16_t HttpPort(const TestNode& node) {
    std::string address = CliJson(node, {"status"}).value("http_status", "");
    size_t colon = address.rfind(':');
    return colon == std::string::npos ? 0 : static_cast<uint16_t>(std::stoi(address.substr(colon + 1)));
  }
};

TEST_F(DaemonStatusTest, SnapshotThenTransferAndVersionOfAPutElsewhere) {
  fs::path ca = MakeCa("ca", "status-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(cloud);
  Start(edge, {&cloud});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(edge) == 1 && ConnectedPeers(cloud) == 1; }));
  const uint16_t port = HttpPort(edge);
  ASSERT_NE(port, 0);

  StatusClient client;
  ASSERT_EQ(client.Open(port, "/status"), 101);
  auto first = client.Read();
  ASSERT_TRUE(first);
  json snapshot = json::parse(*first);
  EXPECT_EQ(snapshot["type"], "snapshot");
  EXPECT_EQ(snapshot["v"], 1);
  EXPECT_EQ(snapshot["node"]["id"], "edge-1");
  // Both nodes share this machine's clock: a skew is measured at the hello, and it is small.
  ASSERT_TRUE(snapshot["node"].contains("clock_skew_ms")) << snapshot["node"];
  EXPECT_LT(std::abs(snapshot["node"]["clock_skew_ms"].get<int64_t>()), 5000);

  fs::path src = root() / "export";
  std::mt19937_64 rng(7);
  WriteRandomFile(src / "weights.bin", rng, 24u << 20);
  ProcessResult put = Cli(cloud, {"put", "model/helmet", src.string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;

  bool saw_version = false, saw_done = false, saw_peer = false, saw_running = false;
  std::string version_id;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  // The link was up before this client joined: it is either in the snapshot or announced within
  // a sampling tick, however quickly the transfer finishes.
  if (!snapshot["peers"].empty()) saw_peer = true;
  // Peer events carry the software version the peer sent in its Hello.
  for (const json& p : snapshot["peers"])
    EXPECT_EQ(p.value("version", "").rfind("edgesyncd ", 0), 0u) << p;
  while (!(saw_version && saw_done && saw_peer) && std::chrono::steady_clock::now() < deadline) {
    auto m = client.Read(30s);
    ASSERT_TRUE(m) << "feed closed; edge log:\n" << ReadFileText(edge.log());
    json e = json::parse(*m);
    ASSERT_EQ(e["v"], 1);
    if (e["type"] == "peer" && e["node_id"] == "cloud-1" && e["state"] == "connected") {
      saw_peer = true;
      EXPECT_EQ(e.value("version", "").rfind("edgesyncd ", 0), 0u) << e;
    }
    if (e["type"] == "version" && e["key"] == "model/helmet") {
      EXPECT_EQ(e["origin"], "replicated");
      EXPECT_EQ(e["author"], "cloud-1");
      EXPECT_EQ(e["kind"], "model");
      version_id = e["version"];
      saw_version = true;
    }
    if (e["type"] == "transfer" && e["key"] == "model/helmet") {
      if (e["state"] == "running") {
        saw_running = true;
        EXPECT_EQ(e["sources"], json::array({"cloud-1"}));
        if (e.contains("total_bytes")) {
          EXPECT_LE(e["done_bytes"].get<uint64_t>(), e["total_bytes"].get<uint64_t>());
        }
      }
      EXPECT_NE(e["state"], "failed") << e;
      if (e["state"] == "done") saw_done = true;
    }
  }
  EXPECT_TRUE(saw_version);
  EXPECT_TRUE(saw_done);
  EXPECT_TRUE(saw_peer);

  // A client joining now sees the version in its snapshot.
  StatusClient late;
  ASSERT_EQ(late.Open(port, "/status"), 101);
  auto late_first = late.Read();
  ASSERT_TRUE(late_first);
  json late_snapshot = json::parse(*late_first);
  // (Newest first; the nodes' fleet records, rewritten after the put, may come before it.)
  bool in_snapshot = false;
  for (const json& v : late_snapshot["versions"]) in_snapshot = in_snapshot || v["version"] == version_id;
  EXPECT_TRUE(in_snapshot) << late_snapshot["versions"].dump();
  // And /metrics counts it.
  auto metrics = HttpGet(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("edgesync_versions_applied_total{kind=\"model\",origin=\"replicated\"} 1\n"),
            std::string::npos) << metrics.body;
  // Timed only when the sampler saw it in flight (a transfer may finish within one sample).
  const std::string timed = saw_running ? "1" : "0";
  EXPECT_NE(metrics.body.find("edgesync_transfer_duration_seconds_count " + timed + "\n"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("edgesync_peers_connected 1\n"), std::string::npos);
}

TEST_F(DaemonStatusTest, DeploymentsAppearInTheSnapshotAndEachChangeIsAnEvent) {
  fs::path ca = MakeCa("ca", "status-4");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(edge);
  const uint16_t port = HttpPort(edge);
  ASSERT_NE(port, 0);
  StatusClient client;
  ASSERT_EQ(client.Open(port, "/status"), 101);
  ASSERT_TRUE(client.Read());  // the snapshot

  const fs::path src = root() / "src";
  MakeFile(src / "w.bin", "good");
  ASSERT_EQ(Cli(edge, {"put", "model/det", src.string()}).exit_code, 0);
  fs::create_directories(root() / "srv");
  ASSERT_EQ(Cli(edge, {"deploy", "add", "det", "--key", "model/det", "--dir", (root() / "srv" / "det").string(),
                       "--shell", "--health", "grep -q good \"$EDGESYNC_DIR/w.bin\"", "--health-timeout", "1"})
                .exit_code,
            0);
  auto deployment = [](const std::string& state) {
    return [state](const json& m) {
      return m.value("type", "") == "deployment" && m.value("name", "") == "det" && m.value("state", "") == state;
    };
  };
  auto healthy = client.WaitFor(deployment("healthy"), std::chrono::seconds(30));
  ASSERT_TRUE(healthy) << ReadFileText(edge.log());
  EXPECT_EQ((*healthy)["key"], "model/det");
  const std::string good = (*healthy)["active"].get<std::string>();

  MakeFile(src / "w.bin", "bad");
  ASSERT_EQ(Cli(edge, {"put", "model/det", src.string()}).exit_code, 0);
  auto rolled_back = client.WaitFor(deployment("rolled_back"), std::chrono::seconds(30));
  ASSERT_TRUE(rolled_back) << ReadFileText(edge.log());
  EXPECT_EQ((*rolled_back)["active"], good);
  EXPECT_NE((*rolled_back)["target"], good);
  EXPECT_EQ((*rolled_back)["rollbacks"], 1);
  EXPECT_NE((*rolled_back)["last_error"].get<std::string>().find("health check"), std::string::npos);

  // A client joining now finds it in its snapshot; a removal is an event.
  StatusClient late;
  ASSERT_EQ(late.Open(port, "/status"), 101);
  auto first = late.Read();
  ASSERT_TRUE(first);
  json snapshot = json::parse(*first);
  ASSERT_EQ(snapshot["deployments"].size(), 1u) << snapshot["deployments"];
  EXPECT_EQ(snapshot["deployments"][0]["state"], "rolled_back");
  ASSERT_EQ(Cli(edge, {"deploy", "rm", "det"}).exit_code, 0);
  EXPECT_TRUE(late.WaitFor(deployment("removed"), std::chrono::seconds(30)));
}

TEST_F(DaemonStatusTest, TokenAndOriginAreEnforced) {
  fs::path ca = MakeCa("ca", "status-2");
  TestNode& node = AddNode("solo-1", ca, "edge");
  fs::path config = root() / "edgesync.toml";
  MakeFile(config, "[network]\nhttp_token = \"t0ken\"\nhttp_allowed_origins = [\"https://ops.example\"]\n");
  Start(node, {}, {"--config", config.string()});
  const uint16_t port = HttpPort(node);
  ASSERT_NE(port, 0);
  EXPECT_EQ(HttpGet(port, "/").status, 200);
  EXPECT_EQ(HttpGet(port, "/").headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_EQ(HttpGet(port, "/metrics").status, 401);
  auto metrics = HttpGet(port, "/metrics", {{"Authorization", "Bearer t0ken"}});
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("edgesync_auth_failures_total{source=\"http\"} 1\n"), std::string::npos)
      << metrics.body;
  EXPECT_EQ(HttpGet(port, "/elsewhere").status, 404);
  StatusClient none, foreign, allowed, cli;
  EXPECT_EQ(none.Open(port, "/status"), 401);
  EXPECT_EQ(foreign.Open(port, "/status?token=t0ken", {{"Origin", "http://127.0.0.1:" + std::to_string(port)}}), 403);
  EXPECT_EQ(allowed.Open(port, "/status?token=t0ken", {{"Origin", "https://ops.example"}}), 101);
  EXPECT_EQ(cli.Open(port, "/status", {{"Authorization", "Bearer t0ken"}}), 101);
  auto first = cli.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(json::parse(*first)["type"], "snapshot");

  // SIGTERM with feed clients connected: the daemon closes them and exits 0 promptly.
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(Stop(node), 0) << ReadFileText(node.log());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  while (cli.Read(5s)) {
  }
  EXPECT_TRUE(cli.closed());
}

TEST_F(DaemonStatusTest, NonLoopbackStatusAddressNeedsAToken) {
  ProcessResult result = RunProcess({EDGESYNCD_BIN, "--data-dir", (root() / "d").string(),
                                     "--http-status", "0.0.0.0:0", "--check-config"},
                                    20s, {"NOTIFY_SOCKET=", "RUNTIME_DIRECTORY=", "CONFIGURATION_DIRECTORY="});
  EXPECT_EQ(result.exit_code, kExitConfig) << result.err;
  EXPECT_NE(result.err.find("network.http_token"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace edgesync::testing
