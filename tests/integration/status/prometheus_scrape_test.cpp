// A real Prometheus (Debian `prometheus`) scrapes a node's /metrics; the value read back through
// its HTTP query API is the daemon's count. Skipped when no prometheus binary is installed.
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

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

class PrometheusScrapeTest : public ClusterFixture {};

TEST_F(PrometheusScrapeTest, PrometheusReadsTheVersionsCounter) {
  const std::string prometheus = FindPrometheus();
  if (prometheus.empty()) GTEST_SKIP() << "prometheus is not installed (scripts/setup.sh installs it)";
  fs::path ca = MakeCa("ca", "metrics-1");
  TestNode& node = AddNode("solo-1", ca, "edge");
  fs::path config = root() / "edgesync.toml";
  MakeFile(config, "[network]\nhttp_token = \"scrape-me\"\n");
  Start(node, {}, {"--config", config.string()});
  std::string http = CliJson(node, {"status"}).value("http_status", "");
  ASSERT_NE(http.rfind(':'), std::string::npos);
  for (const char* key : {"model/a", "model/b"}) {
    MakeFile(root() / "src" / key / "w.bin", std::string("weights of ") + key);
    ASSERT_EQ(Cli(node, {"put", key, (root() / "src" / key).string()}).exit_code, 0);
  }

  const uint16_t web_port = FreePort();
  fs::path prom_dir = root() / "prometheus";
  MakeFile(prom_dir / "prometheus.yml",
           "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
           "scrape_configs:\n  - job_name: edgesync\n    metrics_path: /metrics\n"
           "    authorization:\n      credentials: scrape-me\n"
           "    static_configs:\n      - targets: ['" + http + "']\n");
  BackgroundProcess server({prometheus, "--config.file=" + (prom_dir / "prometheus.yml").string(),
                            "--storage.tsdb.path=" + (prom_dir / "data").string(),
                            "--web.listen-address=127.0.0.1:" + std::to_string(web_port)},
                           prom_dir / "out.log", prom_dir / "err.log", {});

  const std::string query = "edgesync_versions_applied_total{kind=\"model\",origin=\"local\"}";
  std::string value, last_body;
  bool got = PollUntil([&] {
    auto reply = HttpGet(web_port, "/api/v1/query?query=" + UrlEncode(query));
    if (reply.status != 200) return false;
    last_body = reply.body;
    json body = json::parse(reply.body, nullptr, false);
    if (body.is_discarded() || body["status"] != "success") return false;
    const json& result = body["data"]["result"];
    if (result.empty()) return false;
    value = result[0]["value"][1];
    return true;
  }, 50s);
  ASSERT_TRUE(got) << "no sample; last answer: " << last_body << "\nprometheus log:\n"
                   << ReadFileText(prom_dir / "err.log");
  EXPECT_EQ(value, "2");
  // The scrape authenticated: the target is up.
  auto up = HttpGet(web_port, "/api/v1/query?query=" + UrlEncode("up{job=\"edgesync\"}"));
  json up_body = json::parse(up.body, nullptr, false);
  ASSERT_FALSE(up_body.is_discarded());
  ASSERT_FALSE(up_body["data"]["result"].empty()) << up.body;
  EXPECT_EQ(up_body["data"]["result"][0]["value"][1], "1");
}

}  // namespace
}  // namespace edgesync::testing
