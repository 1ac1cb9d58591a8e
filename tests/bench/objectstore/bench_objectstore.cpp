// bench_objectstore: one real edgesyncd importing from and exporting to s3rver on 127.0.0.1,
// against s3cmd doing the same transfers with the same server in the same run.
//   EDGESYNC_BENCH_SIZE_MIB=N (1024): the object's size; EDGESYNC_BENCH_RUNS=N (3);
//   EDGESYNC_BENCH_TIER_ONLY=1: only the chunk tier's part
// Each run, on fresh random bytes: `s3cmd put` of the file (which uploads the object the run
// reads), `edgesync put model/x s3://.../big.bin` (import) and `s3cmd get` of the same object
// to a local file, taking turns at going first, then `edgesync export model/x` to a fresh
// prefix. Every rate is the object's size over the wall time of the CLI process (edgesync or
// s3cmd, so both pay their process start); the daemon's own "seconds" is printed beside it.
// Then one more import and export, untimed, go through a RequestCountingFront (the daemon is
// restarted with it as endpoint) for the requests per GiB. Last, the chunk tier (tier_bench.h):
// a cloud node storing and serving a model with its chunks on s3rver, against local disk.
// Prints one line per operation, then one JSON object; each rate is the median of the runs.
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/bench/objectstore/request_counting_front.h"
#include "tests/bench/objectstore/tier_bench.h"
#include "tests/support/bench_median.h"
#include "tests/support/poll_until.h"
#include "tests/support/process_runner.h"
#include "tests/support/s3rver_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using objectstore::testing::S3rverServer;
using Clock = std::chrono::steady_clock;

constexpr auto kCommandTimeout = std::chrono::minutes(20);
constexpr char kKey[] = "model/x";

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 10) : fallback;
}

double Seconds(timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

// CPU seconds of the children this process has reaped: the CLI processes it ran.
double ChildrenCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  return Seconds(usage.ru_utime) + Seconds(usage.ru_stime);
}

// On the virtual machines we benchmark on, memory the guest frees is handed back to the host
// within a second or two, and touching it again costs more than 1 s of kernel time per GiB
// (docs/benchmarks.md, fourth session). Each timed command starts after this pause, so none
// gets the warm pages of the data deleted just before it.
void SettleMemory() { std::this_thread::sleep_for(std::chrono::seconds(3)); }

std::string Bucket(const std::string& key) {
  return std::string("s3://") + S3rverServer::kBucket + "/" + key;
}

// One timed command: its wall time, what the daemon reported, and the CPU time each process
// spent meanwhile (client: the CLI process; daemon: edgesyncd; server: s3rver).
struct Timing {
  double seconds = -1;  // -1: the command failed
  double daemon_seconds = -1;
  double client_cpu = 0, daemon_cpu = 0, server_cpu = 0;
};

class ObjectStoreBench {
 public:
  ObjectStoreBench(const fs::path& work, const S3rverServer& server) : work_(work), server_(server) {
    // Secrets go into 0600 files, never on a command line.
    const std::string secret = "bench-secret-not-checked-by-s3rver";
    WriteSecretFile(work_ / "aws-credentials", std::string("[default]\naws_access_key_id = ") +
                                                   S3rverServer::kAccessKey +
                                                   "\naws_secret_access_key = " + secret + "\n");
    const std::string host = "127.0.0.1:" + std::to_string(server_.port());
    WriteSecretFile(work_ / "s3cfg", std::string("[default]\naccess_key = ") + S3rverServer::kAccessKey +
                                         "\nsecret_key = " + secret + "\nhost_base = " + host +
                                         "\nhost_bucket = " + host +
                                         "\nbucket_location = us-east-1\nuse_https = False\n"
                                         "signature_v2 = False\n");
  }

  // (Re)starts edgesyncd on work/data, its [s3] endpoint 127.0.0.1:`port`; false if it does not
  // come up.
  bool StartDaemon(uint16_t port) {
    daemon_.reset();  // stops and reaps the previous one: the store is opened by one at a time
    WriteFileText(work_ / "edgesync.toml", "[s3]\nendpoint = \"http://127.0.0.1:" + std::to_string(port) +
                                               "\"\nregion = \"us-east-1\"\ncredentials_file = \"" +
                                               (work_ / "aws-credentials").string() + "\"\n");
    daemon_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{EDGESYNCD_BIN, "--data-dir", (work_ / "data").string(), "--node-name",
                                 "bench", "--http-status", "127.0.0.1:0", "--config",
                                 (work_ / "edgesync.toml").string()},
        work_ / "daemon.out", work_ / "daemon.err",
        std::vector<std::string>{"XDG_RUNTIME_DIR=", "RUNTIME_DIRECTORY=", "STATE_DIRECTORY=",
                                 "CONFIGURATION_DIRECTORY=", "NOTIFY_SOCKET=", "WATCHDOG_USEC="});
    const bool up =
        PollUntil([&] { return !daemon_->running() || Execute(EdgesyncArgv({"status"})).exit_code == 0; },
                  std::chrono::seconds(30));
    if (!up || !daemon_->running()) {
      std::cerr << "edgesyncd did not come up:\n" << ReadFileText(work_ / "daemon.err");
      return false;
    }
    return true;
  }

  // `edgesync args... --json`, timed; the result's "bytes" must be `bytes`.
  Timing Edgesync(std::vector<std::string> args, uint64_t bytes) {
    args.push_back("--json");
    std::string out;
    Timing timing = Time(EdgesyncArgv(args), &out);
    if (timing.seconds < 0) return timing;
    const json result = json::parse(out, nullptr, false);
    if (!result.is_object() || result.value("bytes", uint64_t{0}) != bytes) {
      std::cerr << "edgesync " << args[0] << ": unexpected result " << out << "\n";
      timing.seconds = -1;
      return timing;
    }
    timing.daemon_seconds = result.value("seconds", -1.0);
    return timing;
  }

  Timing S3cmd(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {S3CMD_BIN, "--config", (work_ / "s3cfg").string(), "--no-progress"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out;
    return Time(argv, &out);
  }

 private:
  static void WriteSecretFile(const fs::path& path, const std::string& text) {
    WriteFileText(path, "");
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    WriteFileText(path, text);
  }

  std::vector<std::string> EdgesyncArgv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {EDGESYNC_BIN, "--socket", (work_ / "data" / "control.sock").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // HOME points at the work directory so s3cmd reads no ~/.s3cfg and the CLI no user config.
  ProcessResult Execute(const std::vector<std::string>& argv) const {
    return RunProcess(argv, kCommandTimeout, {"HOME=" + work_.string(), "EDGESYNC_SOCKET="});
  }

  // Runs `argv`, leaving its standard output in *out.
  Timing Time(const std::vector<std::string>& argv, std::string* out) {
    Timing timing;
    const double client = ChildrenCpuSeconds(), daemon = CpuSeconds(daemon_->pid()),
                 server = CpuSeconds(server_.pid());
    const auto start = Clock::now();
    ProcessResult r = Execute(argv);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    timing.client_cpu = ChildrenCpuSeconds() - client;
    timing.daemon_cpu = CpuSeconds(daemon_->pid()) - daemon;
    timing.server_cpu = CpuSeconds(server_.pid()) - server;
    if (r.exit_code != 0) {
      for (const std::string& arg : argv) std::cerr << arg << " ";
      std::cerr << "failed (" << r.exit_code << "): " << r.err << "\n";
      return timing;
    }
    timing.seconds = seconds;
    *out = std::move(r.out);
    return timing;
  }

  fs::path work_;
  const S3rverServer& server_;
  std::unique_ptr<BackgroundProcess> daemon_;
};

void Print(const std::string& what, const Timing& t, double mb) {
  std::cout << "  " << what << ": ";
  if (t.seconds < 0) {
    std::cout << "failed\n";
    return;
  }
  std::cout << mb / t.seconds << " MB/s (" << t.seconds << " s";
  if (t.daemon_seconds > 0) std::cout << "; daemon's own " << t.daemon_seconds << " s";
  std::cout << "); CPU s3rver " << t.server_cpu << " s, edgesyncd " << t.daemon_cpu << " s, client "
            << t.client_cpu << " s" << std::endl;
}

int Run(uint64_t size, int runs, bool tier_only) {
  std::cout << std::fixed << std::setprecision(2);
  TempDir work_dir;  // removed last: the daemon and s3rver below stop first
  const fs::path work = work_dir.path();
  S3rverServer server;
  std::mt19937_64 rng(42);
  if (tier_only) {
    const json tier = RunTierBench(server, size, runs, rng);
    std::cout << tier.dump() << std::endl;
    return tier.is_object() ? 0 : 1;
  }
  ObjectStoreBench bench(work, server);
  if (!bench.StartDaemon(server.port())) return 1;
  const double mb = static_cast<double>(size) / 1e6;
  const fs::path file = work / "big.bin", got = work / "got.bin";
  std::vector<double> imports, gets, exports, puts, daemon_imports, daemon_exports;
  auto rate = [mb](const Timing& t, std::vector<double>* into) {
    if (t.seconds > 0) into->push_back(mb / t.seconds);
  };
  for (int run = 0; run < runs; ++run) {
    WriteRandomFile(file, rng, size);  // fresh bytes: the store holds none of its chunks yet
    const std::string source = "in-" + std::to_string(run) + "/big.bin";
    const std::string target = "out-" + std::to_string(run) + "/";
    std::cout << "run " << run << ":" << std::endl;
    SettleMemory();
    Timing put = bench.S3cmd({"put", file.string(), Bucket(source)});
    Print("s3cmd put", put, mb);
    Timing import, get;
    for (int turn = 0; turn < 2; ++turn) {
      SettleMemory();
      if ((turn + run) % 2 == 0) {
        import = bench.Edgesync({"put", kKey, Bucket(source)}, size);
        Print("edgesync put from s3://", import, mb);
      } else {
        get = bench.S3cmd({"get", Bucket(source), got.string()});
        if (get.seconds > 0 && fs::file_size(got) != size) get.seconds = -1;
        Print("s3cmd get", get, mb);
        fs::remove(got);
      }
    }
    SettleMemory();
    Timing exported = import.seconds > 0 ? bench.Edgesync({"export", kKey, Bucket(target)}, size) : Timing{};
    Print("edgesync export", exported, mb);
    rate(put, &puts);
    rate(import, &imports);
    rate(get, &gets);
    rate(exported, &exports);
    if (import.daemon_seconds > 0) daemon_imports.push_back(mb / import.daemon_seconds);
    if (exported.daemon_seconds > 0) daemon_exports.push_back(mb / exported.daemon_seconds);
    bench.S3cmd({"del", "--recursive", Bucket("in-" + std::to_string(run) + "/")});
    bench.S3cmd({"del", "--recursive", Bucket(target)});
  }

  // Requests per GiB, untimed: one import and one export through the counting front.
  RequestCountingFront front(server.port());
  std::map<std::string, uint64_t> import_requests, export_requests;
  bool counted = front.port() != 0 && bench.StartDaemon(front.port());
  WriteRandomFile(file, rng, size);
  counted = counted && bench.S3cmd({"put", file.string(), Bucket("count/big.bin")}).seconds > 0;
  front.TakeCounts();
  counted = counted && bench.Edgesync({"put", kKey, Bucket("count/big.bin")}, size).seconds > 0;
  import_requests = front.TakeCounts();
  counted = counted && bench.Edgesync({"export", kKey, Bucket("count-out/")}, size).seconds > 0;
  export_requests = front.TakeCounts();
  counted = counted && front.complete();
  fs::remove(file);

  const double per_gib = static_cast<double>(1ull << 30) / static_cast<double>(size);
  json summary = {{"size_mib", size >> 20},
                  {"runs", runs},
                  {"import_mbps", BenchMedian(imports)},
                  {"s3cmd_get_mbps", BenchMedian(gets)},
                  {"import_vs_s3cmd", std::round(BenchMedian(imports) / BenchMedian(gets) * 100) / 100},
                  {"export_mbps", BenchMedian(exports)},
                  {"s3cmd_put_mbps", BenchMedian(puts)},
                  {"export_vs_s3cmd", std::round(BenchMedian(exports) / BenchMedian(puts) * 100) / 100},
                  {"import_daemon_mbps", BenchMedian(daemon_imports)},
                  {"export_daemon_mbps", BenchMedian(daemon_exports)}};
  std::cout << "import (" << (size >> 20) << " MiB, median of " << imports.size()
            << ", CLI wall time): " << summary["import_mbps"] << " MB/s; s3cmd get "
            << summary["s3cmd_get_mbps"] << " MB/s; ratio " << summary["import_vs_s3cmd"] << "\n"
            << "export (median of " << exports.size() << ", CLI wall time): " << summary["export_mbps"]
            << " MB/s; s3cmd put " << summary["s3cmd_put_mbps"] << " MB/s; ratio "
            << summary["export_vs_s3cmd"] << "\n";
  for (auto& [name, requests] :
       {std::pair{"import", &import_requests}, std::pair{"export", &export_requests}}) {
    std::cout << name << " requests per GiB:";
    for (const auto& [method, count] : *requests) {
      const double value = counted ? static_cast<double>(count) * per_gib : -1;
      std::string field = std::string(name) + "_" + method + "_per_gib";
      std::transform(field.begin(), field.end(), field.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      summary[field] = value;
      std::cout << " " << method << " " << value;
    }
    std::cout << (counted ? "\n" : " (not counted: the counting pass failed or lost a request)\n");
  }
  const json tier = RunTierBench(server, size, runs, rng);
  if (tier.is_object()) summary.update(tier);
  std::cout << summary.dump() << std::endl;
  const auto all = static_cast<size_t>(runs);
  const bool complete = imports.size() == all && gets.size() == all && exports.size() == all &&
                        puts.size() == all && counted && tier.is_object();
  return complete ? 0 : 1;
}

}  // namespace
}  // namespace edgesync::testing

int main() {
  const uint64_t size_mib = edgesync::testing::EnvNumber("EDGESYNC_BENCH_SIZE_MIB", 1024);
  const uint64_t runs = edgesync::testing::EnvNumber("EDGESYNC_BENCH_RUNS", 3);
  if (size_mib < 1 || runs < 1) {
    std::cerr << "EDGESYNC_BENCH_SIZE_MIB and EDGESYNC_BENCH_RUNS must be positive numbers\n";
    return 2;
  }
  const bool tier_only = edgesync::testing::EnvNumber("EDGESYNC_BENCH_TIER_ONLY", 0) != 0;
  return edgesync::testing::Run(size_mib << 20, static_cast<int>(runs), tier_only);
}
