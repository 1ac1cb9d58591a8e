// bench_transport: sends 256 KiB bulk messages over one TLS link on 127.0.0.1 for a few seconds
// per run and prints the median throughput of 3 runs per direction:
//   tls_bulk_mbps <MB/s>            (minimum of the two directions' medians: what a replication
//                                    sender sees, since chunks flow both ways)
//   {"tls_bulk_mbps": ..., ...}     (final JSON line, both directions and every run)
// Upload is edge -> cloud (client side, masked frames); download is cloud -> edge. Both nodes run
// in this process (one io thread each), so the process CPU time (user + sys, getrusage) covers
// sender and receiver: mb_per_cpu_second is the load-independent figure on a shared machine.
// The *_sender_/*_receiver_mb_per_cpu_second figures divide by one node's io thread CPU time
// (the sending side also includes the producer's message copy made on that thread).
// Usage: bench_transport [seconds_per_run=3] [--keep-heap]
//   --keep-heap: mallopt(M_MMAP_THRESHOLD 4 MiB, M_TRIM_THRESHOLD 256 MiB) before starting. With
//   glibc's defaults every 256 KiB message string (the producer's copy, the received payload)
//   tends to land on freshly trimmed heap pages: page faults and page clearing cost ~15% of the
//   CPU. The transport cannot reuse those strings (they cross the Link/LinkHandler API by value);
//   a daemon can set the same two knobs in main().
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "transport/identity.h"
#include "transport/transport.h"

namespace {

using namespace edgesync::transport;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMessageBytes = 256 * 1024;

// Keeps the sender's bulk queue topped up; counts what the receiver gets.
class BenchHandler : public LinkHandler {
 public:
  BenchHandler() : payload_(kMessageBytes, 'x') {}

  void OnLinkUp(Link& link) override {
    std::lock_guard lock(mutex_);
    link_ = link.shared_from_this();
  }
  void OnMessage(Link&, Lane, std::uint32_t, std::string payload) override {
    received_bytes.fetch_add(payload.size(), std::memory_order_relaxed);
  }
  void OnLinkDown(Link&, const std::string& reason) override {
    std::fprintf(stderr, "link down: %s\n", reason.c_str());
  }
  void OnSendQueueLow(Link& link) override {
    if (sending.load()) Fill(link);
  }

  // Called from the io thread (OnSendQueueLow) and from main; the mutex keeps check-then-send
  // atomic so the queue bound is never hit (which would drop the link).
  void Fill(Link& link) {
    std::lock_guard lock(fill_mutex_);
    while (link.queued_bytes(Lane::kBulk) + kMessageBytes <= kQueueBound) {
      if (!link.Send(Lane::kBulk, 1, payload_)) return;
    }
  }
  std::shared_ptr<Link> link() {
    std::lock_guard lock(mutex_);
    return link_;
  }

  static constexpr std::size_t kQueueBound = 32u << 20;
  std::atomic<bool> sending{false};
  std::atomic<std::uint64_t> received_bytes{0};

 private:
  std::string payload_;
  std::mutex mutex_;
  std::shared_ptr<Link> link_;
  std::mutex fill_mutex_;
};

struct BenchNode {
  explicit BenchNode(TransportOptions options) {
    auto created = Transport::Create(io, std::move(options), handler);
    if (!created.ok()) {
      std::fprintf(stderr, "transport: %s\n", created.status().ToString().c_str());
      std::exit(1);
    }
    transport = std::move(created).value();
    thread = std::thread([this] {
      auto guard = boost::asio::make_work_guard(io);
      io.run();
    });
  }
  ~BenchNode() {
    transport->Shutdown();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    io.stop();
    thread.join();
  }
  boost::asio::io_context io;  // declared first: destroyed after everything holding a Link
  BenchHandler handler;
  std::unique_ptr<Transport> transport;
  std::thread thread;
};

TransportOptions Options(const std::filesystem::path& dir, const ClusterCa& ca,
                         const std::string& node_id) {
  auto request = CreateNodeKeyRequest(node_id, "edge");
  auto cert = SignNodeRequest(ca, request->csr_pem);
  WriteNodeIdentity(dir / node_id, request->key_pem, cert.value());
  TransportOptions options;
  options.local_hello.cluster_id = ca.cluster_id;
  options.local_hello.node_id = node_id;
  options.listen_address = "127.0.0.1";
  options.listen_port = 0;
  options.ca_cert_file = dir / "ca" / kCaCertFile;
  options.cert_file = dir / node_id / kNodeCertFile;
  options.key_file = dir / node_id / kNodeKeyFile;
  options.max_bulk_queue_bytes = BenchHandler::kQueueBound;
  return options;
}

double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU time of one node's io thread (the whole transport work of that side runs on it).
double ThreadCpuSeconds(std::thread& thread) {
  clockid_t clock{};
  timespec now{};
  if (::pthread_getcpuclockid(thread.native_handle(), &clock) != 0) return 0;
  ::clock_gettime(clock, &now);
  return now.tv_sec + now.tv_nsec / 1e9;
}

struct Totals {
  std::uint64_t bytes = 0;
  double cpu_seconds = 0;
  double sender_cpu_seconds = 0;
  double receiver_cpu_seconds = 0;
};

// One run: the `from` side sends for `seconds`; returns MB/s (10^6 bytes) received by `to`.
double RunOnce(BenchNode& from, BenchNode& to, double seconds, Totals& totals) {
  auto link = from.handler.link();
  from.handler.sending = true;
  const std::uint64_t start_bytes = to.handler.received_bytes.load();
  const double start_cpu = ProcessCpuSeconds();
  const double start_sender = ThreadCpuSeconds(from.thread);
  const double start_receiver = ThreadCpuSeconds(to.thread);
  const auto start = Clock::now();
  from.handler.Fill(*link);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const std::uint64_t bytes = to.handler.received_bytes.load() - start_bytes;
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  totals.bytes += bytes;
  totals.cpu_seconds += ProcessCpuSeconds() - start_cpu;
  totals.sender_cpu_seconds += ThreadCpuSeconds(from.thread) - start_sender;
  totals.receiver_cpu_seconds += ThreadCpuSeconds(to.thread) - start_receiver;
  from.handler.sending = false;
  // Let the queue drain so the next run starts clean.
  while (link->queued_bytes(Lane::kBulk) > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return static_cast<double>(bytes) / elapsed / 1e6;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3.0;
  bool keep_heap = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--keep-heap") {
      keep_heap = true;
    } else {
      seconds = std::atof(argv[i]);
    }
  }
  if (keep_heap) {
    ::mallopt(M_MMAP_THRESHOLD, 4 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  }
  spdlog::set_level(spdlog::level::warn);
  std::string pattern = (std::filesystem::temp_directory_path() / "bench-transport-XXXXXX").string();
  const std::filesystem::path dir = ::mkdtemp(pattern.data());
  auto ca = CreateClusterCa("bench");
  WriteClusterCa(ca.value(), dir / "ca");

  std::vector<double> upload;
  std::vector<double> download;
  Totals upload_totals;
  Totals download_totals;
  {
    BenchNode cloud(Options(dir, ca.value(), "cloud"));
    BenchNode edge(Options(dir, ca.value(), "edge"));
    const auto port = cloud.transport->Listen();
    edge.transport->ConnectTo("127.0.0.1", port.value());
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while ((!edge.handler.link() || !cloud.handler.link()) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!edge.handler.link() || !cloud.handler.link()) {
      std::fprintf(stderr, "link did not come up\n");
      return 1;
    }
    for (int run = 0; run < 3; ++run) {
      upload.push_back(RunOnce(edge, cloud, seconds, upload_totals));
    }
    for (int run = 0; run < 3; ++run) {
      download.push_back(RunOnce(cloud, edge, seconds, download_totals));
    }
  }
  std::filesystem::remove_all(dir);

  auto list = [](const std::vector<double>& values) {
    std::string text;
    for (double value : values) text += (text.empty() ? "" : ",") + std::to_string(value);
    return "[" + text + "]";
  };
  auto per_cpu = [](const Totals& totals) { return totals.bytes / 1e6 / totals.cpu_seconds; };
  const double bulk = std::min(Median(upload), Median(download));
  std::printf("tls_bulk_mbps %.1f\n", bulk);
  std::printf(
      "{\"tls_bulk_mbps\": %.1f, \"upload_client_to_server_mbps_median\": %.1f, "
      "\"upload_runs\": %s, \"download_server_to_client_mbps_median\": %.1f, "
      "\"download_runs\": %s, \"upload_mb_per_cpu_second\": %.1f, "
      "\"download_mb_per_cpu_second\": %.1f, \"upload_sender_mb_per_cpu_second\": %.1f, "
      "\"upload_receiver_mb_per_cpu_second\": %.1f, \"download_sender_mb_per_cpu_second\": %.1f, "
      "\"download_receiver_mb_per_cpu_second\": %.1f, \"message_bytes\": %zu, "
      "\"bytes_received\": %llu, \"keep_heap\": %s, \"seconds_per_run\": %.1f}\n",
      bulk, Median(upload), list(upload).c_str(), Median(download), list(download).c_str(),
      per_cpu(upload_totals), per_cpu(download_totals),
      upload_totals.bytes / 1e6 / upload_totals.sender_cpu_seconds,
      upload_totals.bytes / 1e6 / upload_totals.receiver_cpu_seconds,
      download_totals.bytes / 1e6 / download_totals.sender_cpu_seconds,
      download_totals.bytes / 1e6 / download_totals.receiver_cpu_seconds, kMessageBytes,
      static_cast<unsigned long long>(upload_totals.bytes + download_totals.bytes),
      keep_heap ? "true" : "false", seconds);
  return 0;
}
