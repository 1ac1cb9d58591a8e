#include "tests/support/cluster_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <random>

#include "control/control_client.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {

namespace fs = std::filesystem;

namespace {

// A port on 127.0.0.1 that is free now, below the kernel's ephemeral range (32768 and up on
// Linux): a node restarted on its port must not find it taken by some process's outgoing
// connection, which picks from that range (seen with two copies of the suite running).
uint16_t PickPeerPort() {
  static std::mt19937 rng(std::random_device{}());
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const uint16_t port = static_cast<uint16_t>(20000 + rng() % 12000);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free) return port;
  }
  return 0;  // the daemon picks one itself
}

}  // namespace
using nlohmann::json;

void ClusterFixture::SetUp() {
  char pattern[] = "/tmp/esr-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  root_ = pattern;
}

void ClusterFixture::TearDown() {
  if (HasFailure()) {
    for (const auto& [name, node] : nodes_) {
      std::cerr << "---- log of " << name << "\n" << ReadFileText(node->log()) << "\n";
    }
  }
  nodes_.clear();  // each BackgroundProcess stops and reaps its daemon
  std::error_code ec;
  fs::remove_all(root_, ec);
}

ProcessResult ClusterFixture::LocalCli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {EDGESYNC_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult result = RunProcess(argv, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_code, 0) << "edgesync " << args[0] << ": " << result.err;
  return result;
}

fs::path ClusterFixture::MakeCa(const std::string& name, const std::string& cluster_id) {
  fs::path dir = root_ / name;
  LocalCli({"cluster", "init", dir.string(), "--cluster-id", cluster_id});
  return dir;
}

TestNode& ClusterFixture::AddNode(const std::string& name, const fs::path& ca,
                                  const std::string& role, int cert_days,
                                  const std::vector<std::string>& cert_labels) {
  auto node = std::make_unique<TestNode>();
  node->name = name;
  node->data_dir = root_ / name;
  fs::path cluster = node->data_dir / "cluster";
  LocalCli({"cluster", "join", "--node-id", name, "--role", role, "--out", cluster.string()});
  std::vector<std::string> sign = {"cluster", "sign", ca.string(), (cluster / "node.csr").string(), "--days",
                                   std::to_string(cert_days), "--out", (cluster / "node.crt").string()};
  for (const std::string& label : cert_labels) {
    sign.push_back("--label");
    sign.push_back(label);
  }
  LocalCli(sign);
  fs::copy_file(ca / "ca.crt", cluster / "ca.crt");
  TestNode& ref = *node;
  nodes_[name] = std::move(node);
  return ref;
}

void ClusterFixture::LaunchDaemon(TestNode& node, const std::vector<const TestNode*>& peers,
                                  const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {EDGESYNCD_BIN,  "--data-dir",    node.data_dir.string(),
                                   "--node-name",  node.name,       "--http-status",
                                   "127.0.0.1:0",  "--peer-listen", node.address(),
                                   "--log-level",  "debug"};
  for (const TestNode* peer : peers) {
    argv.push_back("--peer");
    argv.push_back(peer->address());
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::vector<std::string> env = {"XDG_RUNTIME_DIR=", "RUNTIME_DIRECTORY=", "STATE_DIRECTORY=",
                                  "CONFIGURATION_DIRECTORY=", "NOTIFY_SOCKET=", "WATCHDOG_USEC="};
  env.insert(env.end(), node.env.begin(), node.env.end());
  // Append to the node's log across restarts: tests read it for reasons.
  fs::path out = node.data_dir.parent_path() / (node.name + ".out");
  fs::path err = node.log();
  if (fs::exists(err)) fs::rename(err, err.string() + ".previous");
  node.process = std::make_unique<BackgroundProcess>(argv, out, err, env);
}

void ClusterFixture::Start(TestNode& node, const std::vector<const TestNode*>& peers,
                           const std::vector<std::string>& extra_args) {
  // A port picked here can be taken by another test's daemon before ours binds it; a first
  // start that loses that race picks another port. A restart keeps its port: peers dial it.
  const bool picks_port = node.peer_port == 0;
  for (int attempt = 1;; ++attempt) {
    if (picks_port) node.peer_port = PickPeerPort();
    LaunchDaemon(node, peers, extra_args);
    bool up = PollUntil([&] {
      return !node.process->running() || ControlClient::Connect(node.socket()).ok();
    });
    if (up && node.process->running()) break;
    const std::string log = ReadFileText(node.log());
    const bool port_taken = log.find("Address already in use") != std::string::npos;
    ASSERT_TRUE(picks_port && port_taken && attempt < 5)
        << node.name << " did not come up:\n" << log;
    node.process->Wait(std::chrono::seconds(5));
  }
  json status = CliJson(node, {"status"});
  std::string listen = status.value("peer_listen", "");
  ASSERT_NE(listen.rfind(':'), std::string::npos) << status;
  node.peer_port = static_cast<uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));
  ASSERT_NE(node.peer_port, 0) << status;
}

std::optional<int> ClusterFixture::Stop(TestNode& node) {
  node.process->Signal(SIGTERM);
  auto code = node.process->Wait(std::chrono::seconds(20));
  node.process.reset();
  return code;
}

ProcessResult ClusterFixture::Cli(const TestNode& node, const std::vector<std::string>& args,
                                  std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {EDGESYNC_BIN, "--socket", node.socket().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, timeout, {"EDGESYNC_SOCKET="});
}

json ClusterFixture::CliJson(const TestNode& node, std::vector<std::string> args) {
  args.push_back("--json");
  ProcessResult result = Cli(node, args);
  if (result.exit_code != 0) return nullptr;
  return json::parse(result.out, nullptr, false);
}

bool ClusterFixture::WaitForGet(const TestNode& node, const std::string& key, fs::path* dest,
                                std::chrono::milliseconds timeout) {
  return PollUntil(
      [&] {
        *dest = root_ / ("get-" + std::to_string(++gets_));
        return Cli(node, {"get", key, dest->string()}).exit_code == 0;
      },
      timeout);
}

size_t ClusterFixture::ConnectedPeers(const TestNode& node) {
  json peers = CliJson(node, {"peers"});
  size_t connected = 0;
  if (!peers.is_object()) return 0;
  for (const json& peer : peers.value("peers", json::array())) {
    if (peer.value("connected", false)) ++connected;
  }
  return connected;
}

bool ClusterFixture::WaitUntilRead(const TestNode& reader, const TestNode& writer,
                                   std::chrono::milliseconds timeout) {
  const json status = CliJson(writer, {"status"});
  if (!status.is_object() || !status.contains("store")) return false;
  const uint64_t log_end = status["store"].value("last_seq", uint64_t{0});
  return PollUntil(
      [&] {
        json peers = CliJson(reader, {"peers"});
        if (!peers.is_object()) return false;
        for (const json& peer : peers.value("peers", json::array())) {
          if (peer.value("node_id", "") != writer.name) continue;
          return peer.value("peer_latest", uint64_t{0}) >= log_end &&
                 peer.value("checkpoint", uint64_t{0}) >= log_end;
        }
        return false;
      },
      timeout);
}

void ClusterFixture::MakeFile(const fs::path& path, const std::string& content,
                              fs::perms mode) {
  fs::create_directories(path.parent_path());
  WriteFileText(path, content);
  fs::permissions(path, mode);
}

}  // namespace edgesync::testing
