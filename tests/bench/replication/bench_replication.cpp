// bench_replication: replication throughput, CPU, latency and memory of real edgesyncd nodes
// over TLS on 127.0.0.1, against rsync in the same run: an `rsync --daemon` on 127.0.0.1
// (unencrypted), and for the full transfer also rsync over ssh with AES-128-GCM into an sshd on
// 127.0.0.1 (encrypted, like edgesync's TLS).
//   bench_replication [--size-mib N (1024)] [--runs N (3)] [--files N (10000)] [--changes N (200)]
//                     [--objects N (10000): idle_rss_mb is measured holding this many objects]
// Prints one line per figure, then one JSON object (full_mbps, cpu_s_per_gib (sender plus
// receiver utime + stime per GiB of the full transfer, median), full_mbps_encrypted and
// cpu_s_per_gib_encrypted (the same with both stores encrypted at rest), rsync_mbps, rsync_ssh_mbps,
// small_files_per_s,
// rsync_small_files_per_s, hop_p50_ms, hop_p99_ms, peak_rss_mb, idle_rss_mb, and the delta
// figures of delta_bench.h: delta_wire_bytes, delta_new_chunk_bytes, delta_s,
// rsync_delta_wire_bytes, rsync_delta_s).
// Transfer times run from the put's return on the sender to the version being visible on the
// receiver (`show` over the control socket, polled every 2 ms); each comparison is the median
// of --runs runs, each on fresh stores, the tools taking turns at going first.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <random>
#include <thread>

#include "tests/bench/replication/delta_bench.h"
#include "tests/bench/replication/idle_memory.h"
#include "tests/bench/replication/rsync_daemon.h"
#include "tests/bench/replication/rsync_ssh.h"
#include "tests/support/bench_cluster.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  uint64_t size_mib = 1024;
  int runs = 3;
  size_t files = 10000;
  int changes = 200;
  size_t objects = 10000;
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// On the virtual machines we benchmark on, memory the guest frees is handed back to the host
// within a second or two, and touching it again costs more than 1 s of kernel time per GiB
// (docs/benchmarks.md). Whichever tool ran right after another's data was deleted would get warm
// pages for its page cache and heap: each timed transfer starts after this pause instead.
void SettleMemory() { std::this_thread::sleep_for(std::chrono::seconds(3)); }

// Times each tool once for run `run`: which goes first rotates from run to run, and each starts
// after SettleMemory.
void TakeTurns(int run, const std::vector<std::function<void()>>& tools) {
  for (size_t turn = 0; turn < tools.size(); ++turn) {
    SettleMemory();
    tools[(turn + static_cast<size_t>(run)) % tools.size()]();
  }
}

// A fresh two-node cluster (b dials a), `source` put on a; seconds until visible on b, or -1.
// *peak_mib: the larger VmHWM of the two daemons afterwards; *cpu_s: CPU seconds both daemons
// used during the transfer. `encrypted`: both stores encrypted at rest, each with its own key.
double Transfer(const fs::path& source, const std::string& key, double* peak_mib, double* cpu_s,
                bool encrypted = false) {
  BenchCluster cluster;
  fs::path ca = cluster.MakeCa("ca", "bench");
  TestNode& a = cluster.AddNode("bench-a", ca, "cloud");
  TestNode& b = cluster.AddNode("bench-b", ca);
  auto args = [&](const TestNode& node) {
    std::vector<std::string> args{"--log-level", "info"};
    if (!encrypted) return args;
    const fs::path key_file = cluster.root() / (node.name + ".key");
    cluster.MakeFile(key_file, std::string(64, node.name == "bench-a" ? 'a' : 'b'), fs::perms::owner_read);
    args.insert(args.end(), {"--encryption", "on", "--encryption-key-file", key_file.string()});
    return args;
  };
  cluster.Start(a, {}, args(a));
  cluster.Start(b, {&a}, args(b));
  if (::testing::Test::HasFailure()) {
    std::cerr << "a node did not start\n";
    return -1;
  }
  auto put = BenchCluster::Call(a, "put", {{"key", key}, {"path", source.string()}});
  if (!put) {
    std::cerr << "put " << key << " failed\n";
    return -1;
  }
  const double cpu_a = BenchCluster::CpuSeconds(a), cpu_b = BenchCluster::CpuSeconds(b);
  auto start = Clock::now();
  // Polled every 2 ms: a tighter loop costs the receiver CPU time the transfer needs (each poll
  // is a control-socket request), for at most 0.2% of timing error on a 1 s transfer.
  if (!BenchCluster::WaitVisible(b, key, put->value("version", ""), std::chrono::minutes(10),
                                 std::chrono::milliseconds(2))) {
    return -1;
  }
  double seconds = Seconds(start);
  const double sender_cpu = BenchCluster::CpuSeconds(a) - cpu_a, receiver_cpu = BenchCluster::CpuSeconds(b) - cpu_b;
  *cpu_s = sender_cpu + receiver_cpu;
  std::cout << "  CPU during the transfer: sender " << sender_cpu << " s, receiver " << receiver_cpu << " s"
            << std::endl;
  double sender = BenchCluster::MemoryMib(a, "VmHWM"), receiver = BenchCluster::MemoryMib(b, "VmHWM");
  std::cout << "  VmHWM sender " << sender << " MiB, receiver " << receiver << " MiB" << std::endl;
  *peak_mib = std::max(sender, receiver);
  return seconds;
}

// Seconds of `rsync -a source` into an empty directory of a fresh rsync daemon; -1 on failure.
double RsyncTransfer(const fs::path& work, const fs::path& source, int run) {
  fs::path dir = work / ("rsync-" + std::to_string(run)) / "dst";
  fs::create_directories(dir);
  RsyncDaemon daemon(dir);
  double seconds = daemon.Push(source, "run");
  std::error_code ec;
  fs::remove_all(dir.parent_path(), ec);
  return seconds;
}

// Per-hop latency of a small metadata change over a line of five nodes (node i+1 dials node
// i): (visible on node 5 - put returned on node 1) / 4, in ms, one entry per change.
std::vector<double> HopLatencies(const fs::path& work, int changes) {
  BenchCluster cluster;
  fs::path ca = cluster.MakeCa("ca", "hops");
  std::vector<TestNode*> line;
  for (int i = 0; i < 5; ++i) {
    line.push_back(&cluster.AddNode("hop-" + std::to_string(i), ca));
    std::vector<const TestNode*> dial;
    if (i > 0) dial.push_back(line[i - 1]);
    cluster.Start(*line[i], dial, {"--log-level", "info"});
  }
  std::vector<double> hops;
  fs::path doc = work / "hop-doc";
  fs::create_directories(doc);
  if (::testing::Test::HasFailure()) std::cerr << "hops: a node did not start\n";
  for (int c = 0; c < changes && !::testing::Test::HasFailure(); ++c) {
    WriteFileText(doc / "doc.json", json{{"change", c}}.dump());
    auto put = BenchCluster::Call(*line[0], "put", {{"key", "meta/hop"}, {"path", doc.string()}});
    if (!put) {
      std::cerr << "hops: put " << c << " failed\n";
      break;
    }
    auto start = Clock::now();
    if (!BenchCluster::WaitVisible(*line[4], "meta/hop", put->value("version", ""),
                                   std::chrono::seconds(30))) {
      std::cerr << "hops: change " << c << " not visible on the fifth node within 30 s\n";
      break;
    }
    hops.push_back(Seconds(start) * 1000.0 / 4.0);
  }
  return hops;
}

int Run(const Options& options) {
  char pattern[] = "/tmp/esbench-XXXXXX";
  if (!mkdtemp(pattern)) return 1;
  fs::path work = pattern;
  std::mt19937_64 rng(42);
  const double mb = static_cast<double>(options.size_mib << 20) / 1e6;

  std::vector<double> full, rsync_full, rsync_ssh_full, cpu_per_gib, small, rsync_small, full_encrypted,
      cpu_per_gib_encrypted;
  double peak = 0, idle = -1;
  // EDGESYNC_BENCH_ONLY=full, =small or =delta: only those figures (quick runs while tuning them).
  const char* only_env = std::getenv("EDGESYNC_BENCH_ONLY");
  const std::string only = only_env ? only_env : "";
  const bool delta_only = only == "delta", full_only = only == "full", small_only = only == "small";
  std::unique_ptr<RsyncOverSsh> ssh;
  if (!delta_only && !small_only) {
    fs::create_directories(work / "ssh");
    ssh = std::make_unique<RsyncOverSsh>(work / "ssh");
  }
  const double gib = static_cast<double>(options.size_mib) / 1024.0;
  for (int run = 0; run < options.runs && !delta_only && !small_only; ++run) {
    fs::path model = work / "model";
    WriteRandomFile(model / "model.bin", rng, options.size_mib << 20);  // fresh bytes each run
    double run_peak = 0, sealed_peak = 0, cpu = 0, sealed_cpu = 0, s = -1, r = -1, e = -1, x = -1;
    const fs::path ssh_dest = work / ("ssh-" + std::to_string(run));
    fs::create_directories(ssh_dest);
    TakeTurns(run, {[&] { s = Transfer(model, "model/big", &run_peak, &cpu); },
                    [&] { r = RsyncTransfer(work, model / "model.bin", run); },
                    [&] { e = ssh->running() ? ssh->Push(model / "model.bin", ssh_dest) : -1; },
                    [&] { x = Transfer(model, "model/big", &sealed_peak, &sealed_cpu, true); }});
    std::error_code ec;
    fs::remove_all(ssh_dest, ec);
    if (s > 0) full.push_back(mb / s);
    if (s > 0) cpu_per_gib.push_back(cpu / gib);
    if (x > 0) full_encrypted.push_back(mb / x);
    if (x > 0) cpu_per_gib_encrypted.push_back(sealed_cpu / gib);
    peak = std::max(peak, run_peak);
    if (r > 0) rsync_full.push_back(mb / r);
    if (e > 0) rsync_ssh_full.push_back(mb / e);
    std::cout << "run " << run << ": full " << (s > 0 ? mb / s : -1) << " MB/s (" << cpu / gib
              << " CPU-s per GiB), rsync " << (r > 0 ? mb / r : -1) << " MB/s, rsync over ssh "
              << (e > 0 ? mb / e : -1) << " MB/s, peak " << run_peak << " MiB; encrypted at rest "
              << (x > 0 ? mb / x : -1) << " MB/s (" << sealed_cpu / gib << " CPU-s per GiB)" << std::endl;
  }
  ssh.reset();
  fs::remove_all(work / "model");
  fs::path tree = work / "files";
  WriteIndexedDataset(tree, rng, options.files, 4 << 10, 64 << 10);
  for (int run = 0; run < options.runs && !delta_only && !full_only; ++run) {
    double unused = 0, unused_cpu = 0, s = -1, r = -1;
    TakeTurns(run, {[&] { s = Transfer(tree, "dataset/bench/files", &unused, &unused_cpu); },
                    [&] { r = RsyncTransfer(work, tree / "", run); }});
    if (s > 0) small.push_back(options.files / s);
    if (r > 0) rsync_small.push_back(options.files / r);
    std::cout << "run " << run << ": small files " << (s > 0 ? options.files / s : -1)
              << "/s, rsync " << (r > 0 ? options.files / r : -1) << "/s" << std::endl;
  }
  const bool all = only.empty();
  std::vector<double> hops = all ? HopLatencies(work, options.changes) : std::vector<double>{};
  IdleMemory idle_memory;
  if (all) idle_memory = MeasureIdleMemory(work, options.objects, 5);
  idle = std::max(idle_memory.sender_mib, idle_memory.receiver_mib);
  DeltaFigures delta = full_only || small_only ? DeltaFigures{} : MeasureDelta(work, options.size_mib << 20, options.runs, rng);
  std::error_code ec;
  fs::remove_all(work, ec);

  json summary = {{"full_mbps", Median(full)},
                  {"cpu_s_per_gib", Median(cpu_per_gib)},
                  {"full_mbps_encrypted", Median(full_encrypted)},
                  {"cpu_s_per_gib_encrypted", Median(cpu_per_gib_encrypted)},
                  {"rsync_mbps", Median(rsync_full)},
                  {"rsync_ssh_mbps", Median(rsync_ssh_full)},
                  {"small_files_per_s", Median(small)},
                  {"rsync_small_files_per_s", Median(rsync_small)},
                  {"hop_p50_ms", Percentile(hops, 0.50)},
                  {"hop_p99_ms", Percentile(hops, 0.99)},
                  {"peak_rss_mb", peak},
                  {"idle_rss_mb", idle},
                  {"delta_wire_bytes", delta.wire_bytes},
                  {"delta_new_chunk_bytes", delta.new_chunk_bytes},
                  {"delta_s", delta.seconds},
                  {"rsync_delta_wire_bytes", delta.rsync_wire_bytes},
                  {"rsync_delta_s", delta.rsync_seconds}};
  std::cout << "full transfer (" << options.size_mib << " MiB, median of " << full.size()
            << "): " << summary["full_mbps"] << " MB/s, " << summary["cpu_s_per_gib"]
            << " CPU-s per GiB; encrypted at rest " << summary["full_mbps_encrypted"] << " MB/s, "
            << summary["cpu_s_per_gib_encrypted"] << " CPU-s per GiB; rsync " << summary["rsync_mbps"]
            << " MB/s; rsync over ssh " << summary["rsync_ssh_mbps"] << " MB/s\n"
            << "small files (" << options.files << "): " << summary["small_files_per_s"]
            << " files/s; rsync " << summary["rsync_small_files_per_s"] << " files/s\n"
            << "per hop over 5 nodes (" << hops.size() << " changes): p50 "
            << summary["hop_p50_ms"] << " ms, p99 " << summary["hop_p99_ms"] << " ms\n"
            << "peak RSS during the transfer: " << peak << " MiB; idle RSS holding "
            << options.objects << " objects: " << idle << " MiB (sender " << idle_memory.sender_mib
            << ", receiver " << idle_memory.receiver_mib << "; replicated in " << idle_memory.replicate_s
            << " s)\n"
            << "delta (1% of 4 KiB blocks rewritten, median of " << delta.runs_completed
            << "): " << delta.wire_bytes << " wire bytes (" << delta.new_chunk_bytes
            << " bytes of new chunks) in " << delta.seconds << " s; rsync "
            << delta.rsync_wire_bytes << " wire bytes in " << delta.rsync_seconds << " s\n"
            << summary.dump() << std::endl;
  const auto runs = static_cast<size_t>(options.runs);
  bool complete = (full_only || small_only || delta.runs_completed == options.runs) &&
                  (delta_only || small_only || (full.size() == runs && full_encrypted.size() == runs && rsync_ssh_full.size() == runs)) &&
                  (!small_only || small.size() == runs) &&
                  (!all || (small.size() == runs && hops.size() == static_cast<size_t>(options.changes)));
  return complete ? 0 : 1;
}

}  // namespace
}  // namespace edgesync::testing

int main(int argc, char** argv) {
  edgesync::testing::Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    uint64_t value = std::strtoull(argv[i + 1], nullptr, 10);
    if (flag == "--size-mib") options.size_mib = value;
    else if (flag == "--runs") options.runs = static_cast<int>(value);
    else if (flag == "--files") options.files = value;
    else if (flag == "--changes") options.changes = static_cast<int>(value);
    else if (flag == "--objects") options.objects = value;
    else {
      std::cerr << "usage: bench_replication [--size-mib N] [--runs N] [--files N] [--changes N] [--objects N]\n";
      return 2;
    }
  }
  if (argc % 2 == 0 || options.runs < 1 || options.size_mib < 1 || options.files < 1) {
    std::cerr << "usage: bench_replication [--size-mib N] [--runs N] [--files N] [--changes N] [--objects N]\n";
    return 2;
  }
  return edgesync::testing::Run(options);
}
