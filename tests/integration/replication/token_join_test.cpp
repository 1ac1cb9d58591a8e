// Joining with a token: a node serving cluster.join_listen issues one-time tokens; a new node
// sends its request over TLS pinned to the CA fingerprint, gets its certificate and links.
// Each refusal (unknown, reused, expired, other-role token, wrong fingerprint) is clear, and
// the refused ones count in edgesync_auth_failures_total{source="join"}.
#include <sys/stat.h>

#include <regex>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class TokenJoinTest : public ClusterFixture {
 protected:
  // The CA's node, serving joins on an ephemeral loopback port.
  TestNode& StartIssuer() {
    ca_ = MakeCa("ca", "factory-1");
    TestNode& cloud = AddNode("cloud-1", ca_, "cloud", 365);
    Start(cloud, {}, {"--join-listen", "127.0.0.1:0", "--join-ca", ca_.string()});
    return cloud;
  }

  json Token(const TestNode& issuer, const std::string& role, const std::string& ttl = "1h") {
    return CliJson(issuer,
                   {"cluster", "token", "--role", role, "--ttl", ttl, "--labels", "site=hall-3,zone=b"});
  }

  // `cluster join` with the token in a file (mode 0600), into <root>/<name>/cluster.
  ProcessResult Join(const std::string& name, const json& token, std::vector<std::string> extra = {}) {
    const fs::path file = root() / (name + ".token");
    MakeFile(file, token.value("token", "") + "\n", fs::perms::owner_read | fs::perms::owner_write);
    std::vector<std::string> argv = {EDGESYNC_BIN,
                                     "cluster",
                                     "join",
                                     "--token-file",
                                     file.string(),
                                     "--server",
                                     token.value("server", ""),
                                     "--ca-fingerprint",
                                     token.value("ca_fingerprint", ""),
                                     "--node-id",
                                     name,
                                     "--out",
                                     (root() / name / "cluster").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return RunProcess(argv);
  }

  double JoinAuthFailures(const TestNode& node) {
    json status = CliJson(node, {"status"});
    ProcessResult metrics =
        RunProcess({"/usr/bin/curl", "-sf", "http://" + status.value("http_status", "") + "/metrics"});
    std::smatch match;
    static const std::regex line(R"(edgesync_auth_failures_total\{source="join"\} (\d+))");
    if (std::regex_search(metrics.out, match, line)) return std::stod(match[1]);
    ADD_FAILURE() << "no join auth failures in /metrics of " << status.value("http_status", "") << ": "
                  << metrics.exit_code << " " << metrics.err << metrics.out.substr(0, 300);
    return -1;
  }

  fs::path ca_;
};

TEST_F(TokenJoinTest, NewNodeJoinsWithATokenAndLinks) {
  TestNode& cloud = StartIssuer();
  json token = Token(cloud, "edge");
  ASSERT_TRUE(token.is_object());
  EXPECT_EQ(token["ca_fingerprint"].get<std::string>().rfind("sha256:", 0), 0u) << token;
  EXPECT_EQ(token["token"].get<std::string>().rfind("esj1.edge.", 0), 0u);
  // Only its hash is stored, and the daemon never logs it.
  const std::string stored = ReadFileText(cloud.data_dir / "join-tokens.json");
  EXPECT_EQ(stored.find(token["token"].get<std::string>()), std::string::npos);
  struct stat info {};
  ASSERT_EQ(::stat((cloud.data_dir / "join-tokens.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  ProcessResult joined = Join("edge-new", token);
  ASSERT_EQ(joined.exit_code, 0) << joined.err;
  EXPECT_NE(joined.out.find("joined as node edge-new (role edge)"), std::string::npos) << joined.out;
  EXPECT_NE(joined.out.find("site=hall-3 zone=b"), std::string::npos) << joined.out;
  EXPECT_TRUE(fs::exists(root() / "edge-new" / "cluster" / "node.crt"));
  EXPECT_EQ(ReadFileText(root() / "edge-new" / "cluster" / "ca.crt"), ReadFileText(ca_ / "ca.crt"));
  EXPECT_EQ(ReadFileText(cloud.log()).find(token["token"].get<std::string>()), std::string::npos);

  TestNode edge;
  edge.name = "edge-new";
  edge.data_dir = root() / "edge-new";
  Start(edge, {&cloud});
  EXPECT_TRUE(PollUntil([&] { return ConnectedPeers(cloud) == 1; })) << ReadFileText(cloud.log());
  json peers = CliJson(cloud, {"peers"});
  EXPECT_EQ(peers["peers"][0]["role"], "edge") << peers;
  EXPECT_EQ(JoinAuthFailures(cloud), 0);
}

TEST_F(TokenJoinTest, EachRefusalIsClearAndCounted) {
  TestNode& cloud = StartIssuer();
  auto expect_refused = [&](const ProcessResult& r, const std::string& reason) {
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  };

  // A token the daemon never issued.
  json fake = Token(cloud, "edge");
  fake["token"] = "esj1.edge." + std::string(64, '0');
  expect_refused(Join("edge-a", fake), "unknown join token");
  EXPECT_FALSE(fs::exists(root() / "edge-a" / "cluster" / "node.key"));  // removed: retry works

  // Another CA's fingerprint: the token is not even sent, so it still works afterwards.
  json token = Token(cloud, "edge");
  json wrong_pin = token;
  wrong_pin["ca_fingerprint"] = "sha256:" + std::string(64, 'a');
  expect_refused(Join("edge-b", wrong_pin), "not the pinned");

  // Asking for another role than the token's: refused, the token not used up.
  expect_refused(Join("edge-b", token, {"--role", "cloud"}), "join token is for role 'edge'");
  ASSERT_EQ(Join("edge-b", token).exit_code, 0);
  // Used once: refused the second time.
  expect_refused(Join("edge-c", token), "join token already used");

  // Expired.
  json brief = Token(cloud, "edge", "1s");
  const auto expires_ms = brief["expires_ms"].get<int64_t>();
  ASSERT_TRUE(PollUntil(
      [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() > expires_ms;
      },
      std::chrono::seconds(5)));
  expect_refused(Join("edge-d", brief), "join token expired");

  // Garbage on the wire gets an answer, and the daemon serves on.
  ProcessResult garbage = RunProcess({"/bin/sh", "-c",
                                      "printf 'not json\\n' | openssl s_client -quiet -ign_eof -connect " +
                                          token["server"].get<std::string>() + " 2>/dev/null"});
  EXPECT_NE(garbage.out.find("malformed join request"), std::string::npos) << garbage.out;
  EXPECT_EQ(JoinAuthFailures(cloud), 5);  // unknown, other role, used, expired, malformed
  EXPECT_TRUE(cloud.process->running());

  // The token on the command line works too (the file form is preferred).
  json plain = Token(cloud, "edge");
  ProcessResult joined =
      RunProcess({EDGESYNC_BIN, "cluster", "join", "--token", plain["token"], "--server", plain["server"],
                  "--ca-fingerprint", plain["ca_fingerprint"], "--node-id", "edge-e", "--out",
                  (root() / "edge-e" / "cluster").string()});
  EXPECT_EQ(joined.exit_code, 0) << joined.err;
  // And from standard input (`--token-file -`).
  json piped = Token(cloud, "edge");
  MakeFile(root() / "piped.token", piped["token"].get<std::string>() + "\n");
  ProcessResult from_stdin =
      RunProcess({"/bin/sh", "-c",
                  std::string(EDGESYNC_BIN) + " cluster join --token-file - --server " +
                      piped["server"].get<std::string>() + " --ca-fingerprint " +
                      piped["ca_fingerprint"].get<std::string>() + " --node-id edge-f --out " +
                      (root() / "edge-f" / "cluster").string() + " < " + (root() / "piped.token").string()});
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_TRUE(fs::exists(root() / "edge-f" / "cluster" / "node.crt"));
}

TEST_F(TokenJoinTest, NodesWithoutTheEndpointRefuseToIssueTokens) {
  fs::path ca = MakeCa("ca", "factory-1");
  TestNode& edge = AddNode("edge-1", ca, "edge", 365);
  Start(edge);
  ProcessResult refused = Cli(edge, {"cluster", "token", "--role", "edge"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("does not serve token joins"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace edgesync::testing
