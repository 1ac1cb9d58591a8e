// A real Prometheus (Debian `prometheus`) scrapes two linked nodes' /metrics; the values read
// back through its HTTP query API are the daemons' counts and figures (certificate and CRL
// dates, disk, peers, replication backlog). Skipped when no prometheus binary is installed.
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cmath>
#include <optional>

#include "tests/integration/status/status_client.h"
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string FindPrometheus() {
  for (const char* candidate : {"/usr/bin/prometheus", "/usr/local/bin/prometheus"})
    if (::access(candidate, X_OK) == 0) return candidate;
  return "";
}

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string UrlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// The value of the first sample `query` returns, once it returns one (within 50 s).
std::optional<double> QueryUntilSample(uint16_t port, const std::string& query, std::string* last_body) {
  std::optional<double> value;
  PollUntil([&] {
    auto reply = HttpGet(port, "/api/v1/query?query=" + UrlEncode(query));
    if (reply.status != 200) return false;
    *last_body = reply.body;
    json body = json::parse(reply.body, nullptr, false);
    if (body.is_discarded() || body["status"] != "success") return false;
    const json& result = body["data"]["result"];
    if (result.empty()) return false;
    value = std::stod(result[0]["value"][1].get<std::string>());
    return true;
  }, 50s);
  return value;
}

class PrometheusScrapeTest : public ClusterFixture {
 protected:
  // The value of `query`, failing the test with Prometheus' last answer when none comes.
  double Sample(const std::string& query) {
    std::string last_body;
    std::optional<double> value = QueryUntilSample(web_port_, query, &last_body);
    EXPECT_TRUE(value) << "no sample of " << query << "; last answer: " << last_body << "\nprometheus log:\n"
                       << ReadFileText(root() / "prometheus" / "err.log");
    return value.value_or(std::nan(""));
  }

  uint16_t web_port_ = 0;
};

TEST_F(PrometheusScrapeTest, PrometheusReadsCountersAndTheFiguresAlertsUse) {
  const std::string prometheus = FindPrometheus();
  if (prometheus.empty()) GTEST_SKIP() << "prometheus is not installed (scripts/setup.sh installs it)";
  fs::path ca = MakeCa("ca", "metrics-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud", /*cert_days=*/2);
  TestNode& edge = AddNode("edge-1", ca, "edge", /*cert_days=*/2);
  // The cloud node uses a CRL (revoking a node that never runs) due in 30 days; the edge none.
  TestNode& gone = AddNode("edge-gone", ca);
  fs::path crl = root() / "crl.pem";
  LocalCli({"cluster", "revoke", ca.string(), (gone.data_dir / "cluster" / "node.crt").string(), "--crl",
            crl.string(), "--days", "30"});
  fs::path config = root() / "edgesync.toml";
  MakeFile(config, "[network]\nhttp_token = \"scrape-me\"\n");
  Start(cloud, {}, {"--config", config.string(), "--cluster-crl", crl.string()});
  Start(edge, {&cloud}, {"--config", config.string()});
  const std::string cloud_http = CliJson(cloud, {"status"}).value("http_status", "");
  const std::string edge_http = CliJson(edge, {"status"}).value("http_status", "");
  ASSERT_NE(cloud_http.rfind(':'), std::string::npos);
  ASSERT_NE(edge_http.rfind(':'), std::string::npos);
  for (const char* key : {"model/a", "model/b"}) {
    MakeFile(root() / "src" / key / "w.bin", std::string("weights of ") + key);
    ASSERT_EQ(Cli(cloud, {"put", key, (root() / "src" / key).string()}).exit_code, 0);
  }

  web_port_ = FreePort();
  fs::path prom_dir = root() / "prometheus";
  MakeFile(prom_dir / "prometheus.yml",
           "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           "scrape_configs:\n  - job_name: edgesync\n    metrics_path: /metrics\n"
           "    authorization:\n      credentials: scrape-me\n"
           "    static_configs:\n      - targets: ['" + cloud_http + "', '" + edge_http + "']\n");
  BackgroundProcess server({prometheus, "--config.file=" + (prom_dir / "prometheus.yml").string(),
                            "--storage.tsdb.path=" + (prom_dir / "data").string(),
                            "--web.listen-address=127.0.0.1:" + std::to_string(web_port_)},
                           prom_dir / "out.log", prom_dir / "err.log", {});

  const std::string on_cloud = "instance=\"" + cloud_http + "\"", on_edge = "instance=\"" + edge_http + "\"";
  EXPECT_EQ(Sample("edgesync_versions_applied_total{" + on_cloud + ",kind=\"model\",origin=\"local\"}"), 2);
  // The scrapes authenticated: both targets are up (once each has been scraped).
  EXPECT_EQ(Sample("sum(up{job=\"edgesync\"}) == 2"), 2);

  // The edge took both versions and has nothing left to fetch.
  EXPECT_EQ(Sample("edgesync_versions_applied_total{" + on_edge + ",kind=\"model\",origin=\"replicated\"} == 2"), 2);
  EXPECT_EQ(Sample("edgesync_versions_pending{" + on_edge + "} == 0"), 0);
  EXPECT_EQ(Sample("edgesync_versions_unserved{" + on_edge + "} == 0"), 0);
  EXPECT_EQ(Sample("edgesync_peer_lag_changes{" + on_edge + ",peer=\"cloud-1\"} == 0"), 0);
  // Its link to the cloud node is up: seen within the last few scrapes.
  const double silent_s = Sample("time() - edgesync_peer_last_seen_timestamp_seconds{" + on_edge + ",peer=\"cloud-1\"}");
  EXPECT_LT(silent_s, 10);
  EXPECT_GT(silent_s, -2);

  // Certificates were issued for 2 days; the CRL is due in 30.
  for (const std::string& node : {on_cloud, on_edge}) {
    const double left_s = Sample("edgesync_cert_expiry_timestamp_seconds{" + node + "} - time()");
    EXPECT_GT(left_s, 2 * 86400 - 600) << node;
    EXPECT_LE(left_s, 2 * 86400 + 60) << node;
  }
  const double crl_left_s = Sample("edgesync_crl_next_update_timestamp_seconds{" + on_cloud + "} - time()");
  EXPECT_GT(crl_left_s, 30 * 86400 - 600);
  EXPECT_LE(crl_left_s, 30 * 86400 + 60);
  EXPECT_EQ(Sample("count(edgesync_crl_next_update_timestamp_seconds)"), 1);  // not on the edge

  // The store's disk: some free, no more than its size.
  EXPECT_GT(Sample("edgesync_disk_free_bytes{" + on_edge + "}"), 0);
  EXPECT_EQ(Sample("count(edgesync_disk_free_bytes <= edgesync_disk_size_bytes) == 2"), 2);

  // Each node knows both by their fleet records, neither stale.
  EXPECT_EQ(Sample("edgesync_fleet_nodes{" + on_cloud + "} == 2"), 2);
  EXPECT_EQ(Sample("edgesync_fleet_nodes_stale{" + on_cloud + "} == 0"), 0);
}

}  // namespace
}  // namespace edgesync::testing
