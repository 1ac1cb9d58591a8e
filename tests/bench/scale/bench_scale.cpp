// bench_scale: how edgesyncd copes with a big store. Fills node-a's store (default 100,000
// metadata documents and 1,000 models), then times, against the real daemon: startup until the
// control socket answers, `ls` (all keys and one prefix), `select` (three shapes), and reads its
// memory. node-b then catches up from node-a; both restart-free links settle; node-b restarts
// and the bytes of the new link until it settles again are the reconnect cost.
// Prints `name value` lines and a final JSON line.
// Usage: bench_scale [--docs N] [--models M] [--dir PATH] [--no-sync] [--reuse]
// --reuse: keep PATH from an earlier run (its CA, identities and node-a's populated store).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "tests/support/poll_until.h"
#include "tests/support/populate_store.h"
#include "tests/support/process_runner.h"

using namespace edgesync;
using namespace edgesync::testing;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

uint64_t ProcKiB(pid_t pid, const char* field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stoull(line.substr(std::strlen(field)));
  }
  return 0;
}

void Check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "bench_scale: %s\n", what.c_str());
    std::exit(1);
  }
}

struct Node {
  std::string name;
  fs::path data_dir;
  std::unique_ptr<BackgroundProcess> process;
  std::string peer_listen = "127.0.0.1:0";
};

ProcessResult Cli(const Node& node, std::vector<std::string> args) {
  std::vector<std::string> argv = {EDGESYNC_BIN, "--socket", (node.data_dir / "control.sock").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, std::chrono::minutes(5), {"EDGESYNC_SOCKET="});
}

json CliJson(const Node& node, std::vector<std::string> args) {
  args.push_back("--json");
  ProcessResult r = Cli(node, args);
  return r.exit_code == 0 ? json::parse(r.out, nullptr, false) : json();
}

void MakeIdentity(const fs::path& ca, Node& node) {
  fs::path cluster = node.data_dir / "cluster";
  RunProcess({EDGESYNC_BIN, "cluster", "join", "--node-id", node.name, "--role", "edge", "--out",
              cluster.string()});
  RunProcess({EDGESYNC_BIN, "cluster", "sign", ca.string(), (cluster / "node.csr").string(),
              "--days", "2", "--out", (cluster / "node.crt").string()});
  fs::copy_file(ca / "ca.crt", cluster / "ca.crt");
}

// Starts the daemon; returns seconds until its control socket answers `status`.
double Start(const fs::path& root, Node& node, const std::string& peer = "") {
  std::vector<std::string> argv = {EDGESYNCD_BIN, "--data-dir", node.data_dir.string(),
                                   "--node-name", node.name, "--peer-listen", node.peer_listen,
                                   "--http-status", "127.0.0.1:0"};
  if (!peer.empty()) {
    argv.push_back("--peer");
    argv.push_back(peer);
  }
  auto started = Clock::now();
  node.process = std::make_unique<BackgroundProcess>(
      argv, root / (node.name + ".out"), root / (node.name + ".err"),
      std::vector<std::string>{"NOTIFY_SOCKET=", "XDG_RUNTIME_DIR="});
  json status;
  Check(PollUntil(
            [&] {
              status = CliJson(node, {"status"});
              return status.is_object();
            },
            std::chrono::seconds(600), std::chrono::milliseconds(200)),
        node.name + " did not start");
  node.peer_listen = status.value("peer_listen", node.peer_listen);
  return Seconds(started);
}

// Milliseconds of one CLI call, best of three; -1 (and the error on stderr) when it fails.
double TimeCli(const Node& node, const std::vector<std::string>& args, size_t* out_bytes = nullptr) {
  double best = 1e18;
  for (int i = 0; i < 3; ++i) {
    auto started = Clock::now();
    ProcessResult r = Cli(node, args);
    double ms = Seconds(started) * 1000;
    if (r.exit_code != 0) {
      std::fprintf(stderr, "bench_scale: edgesync %s failed: %s\n", args[0].c_str(), r.err.c_str());
      return -1;
    }
    if (out_bytes) *out_bytes = r.out.size();
    best = std::min(best, ms);
  }
  return best;
}

// bytes_in + bytes_out of `node`'s link to `peer` once it is connected, caught up, idle and
// unchanged for 3 s.
uint64_t SettledLinkBytes(const Node& node, const std::string& peer) {
  uint64_t last = ~0ull;
  auto unchanged_since = Clock::now();
  Check(PollUntil(
            [&] {
              const auto now = Clock::now();
              json peers = CliJson(node, {"peers"});
              for (const json& p : peers.value("peers", json::array())) {
                if (p.value("node_id", "") != peer) continue;
                if (!p.value("connected", false) || p.value("lag", 1) != 0 || p.value("transfers", 1) != 0) {
                  unchanged_since = now;
                  return false;
                }
                uint64_t bytes = p.value("bytes_in", 0ull) + p.value("bytes_out", 0ull);
                if (bytes != last) unchanged_since = now;
                last = bytes;
                return now - unchanged_since >= std::chrono::seconds(3);
              }
              return false;
            },
            std::chrono::seconds(3600), std::chrono::milliseconds(200)),
        node.name + "'s link to " + peer + " never settled");
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  StorePopulation population{100000, 1000, 11};
  fs::path root = fs::temp_directory_path() / ("bench-scale-" + std::to_string(getpid()));
  bool sync = true, reuse = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--docs") && i + 1 < argc) population.documents = std::stoul(argv[++i]);
    else if (!std::strcmp(argv[i], "--models") && i + 1 < argc) population.models = std::stoul(argv[++i]);
    else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) root = argv[++i];
    else if (!std::strcmp(argv[i], "--no-sync")) sync = false;
    else if (!std::strcmp(argv[i], "--reuse")) reuse = true;
  }
  Node a{"node-a", root / "node-a"}, b{"node-b", root / "node-b"};
  double populate_s = 0;
  if (!reuse || !fs::exists(a.data_dir / "store")) {
    fs::remove_all(root);
    fs::create_directories(root);
    RunProcess({EDGESYNC_BIN, "cluster", "init", (root / "ca").string(), "--cluster-id", "scale"});
    MakeIdentity(root / "ca", a);
    MakeIdentity(root / "ca", b);
    Status populated = PopulateStore(a.data_dir, a.name, population, &populate_s);
    Check(populated.ok(), "populate: " + populated.ToString());
  }

  json out = {{"bench", "scale"}, {"documents", population.documents}, {"models", population.models},
              {"populate_s", populate_s}};
  out["startup_s"] = Start(root, a);
  out["rss_after_start_mib"] = ProcKiB(a.process->pid(), "VmRSS:") / 1024.0;
  // `ls` of every key: the CLI asks page after page (1000 keys a request) and prints as it goes.
  size_t ls_bytes = 0;
  out["ls_all_ms"] = TimeCli(a, {"ls", "--json"}, &ls_bytes);
  out["ls_all_output_bytes"] = ls_bytes;
  out["ls_models_ms"] = TimeCli(a, {"ls", "model/", "--json"}, &ls_bytes);
  out["ls_models_output_bytes"] = ls_bytes;
  out["ls_docs_11111_ms"] = TimeCli(a, {"ls", "meta/doc/1", "--json"}, &ls_bytes);
  out["ls_docs_11111_output_bytes"] = ls_bytes;
  out["ls_prefix_ms"] = TimeCli(a, {"ls", "model/site-3/"});
  out["select_task_ms"] = TimeCli(a, {"select", "--task", "object_detection", "--order", "mAP", "--limit", "10"});
  out["select_labels_ms"] = TimeCli(a, {"select", "--labels-all", "helmet,person", "--metric", "latency_ms<30"});
  out["select_meta_ms"] = TimeCli(a, {"select", "--meta", "site=site-3", "--order", "mAP"});
  out["rss_after_queries_mib"] = ProcKiB(a.process->pid(), "VmRSS:") / 1024.0;
  out["peak_rss_a_mib"] = ProcKiB(a.process->pid(), "VmHWM:") / 1024.0;

  if (sync) {
    auto started = Clock::now();
    Start(root, b, a.peer_listen);
    const uint64_t keys = population.documents + population.models;
    Check(PollUntil(
              [&] {
                json status = CliJson(b, {"status"});
                return status.is_object() && status["store"]["keys"] == keys;
              },
              std::chrono::seconds(3600), std::chrono::milliseconds(200)),
          "node-b did not catch up");
    out["catch_up_s"] = Seconds(started);
    out["catch_up_link_bytes"] = SettledLinkBytes(b, a.name);
    out["peak_rss_b_mib"] = ProcKiB(b.process->pid(), "VmHWM:") / 1024.0;
    b.process->Signal(SIGTERM);
    b.process->Wait(std::chrono::seconds(30));
    b.process.reset();
    out["restart_b_s"] = Start(root, b, a.peer_listen);
    out["reconnect_link_bytes_b"] = SettledLinkBytes(b, a.name);
    out["reconnect_link_bytes_a"] = SettledLinkBytes(a, b.name);
    out["peak_rss_a_after_sync_mib"] = ProcKiB(a.process->pid(), "VmHWM:") / 1024.0;
  }
  for (auto& [name, value] : out.items()) {
    if (name != "bench") std::cout << name << " " << value.dump() << "\n";
  }
  std::cout << out.dump() << "\n";
  a.process.reset();
  b.process.reset();
  fs::remove_all(root);
  return 0;
}
