// bench_status_clients: replication throughput between two real edgesyncd nodes (TLS over
// 127.0.0.1) with no status clients and with N WebSocket clients on the receiving node's
// /status reading the feed; also the receiver's CPU seconds per transfer and over 10 idle
// seconds, without and with the clients (CPU time is less disturbed by a shared machine than
// wall time).
//   bench_status_clients [--size-mib N (256)] [--clients N (500)] [--runs N (3)]
// Prints one line per figure, then one JSON object. Each throughput is the median of --runs
// transfers of fresh random content on the same pair of nodes (runs alternate without/with),
// timed from the put's return on the sender to the version being visible on the receiver.
#include <utility>  // before Asio: Boost 1.74 needs std::exchange
#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <random>
#include <thread>

#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "tests/support/bench_cluster.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  uint64_t size_mib = 256;
  int clients = 500;
  int runs = 3;
};

// N feed clients on one io_context thread, each reading and counting messages.
class FeedClients {
 public:
  FeedClients(uint16_t port, int count) {
    for (int i = 0; i < count; ++i) {
      auto client = std::make_shared<Client>(io_);
      beast::error_code ec;
      client->ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
      if (!ec) client->ws.handshake("127.0.0.1:" + std::to_string(port), "/status", ec);
      if (ec) {
        std::cerr << "client " << i << " could not connect: " << ec.message() << "\n";
        continue;
      }
      clients_.push_back(client);
      Read(client);
    }
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FeedClients() {
    asio::post(io_, [this] {
      for (auto& c : clients_) {
        beast::error_code ec;
        c->ws.next_layer().socket().close(ec);
      }
    });
    thread_.join();
  }
  size_t connected() const { return clients_.size(); }
  uint64_t messages() const { return messages_.load(); }
  int closed() const { return closed_.load(); }

 private:
  struct Client {
    explicit Client(asio::io_context& io) : ws(io) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
  };
  void Read(const std::shared_ptr<Client>& client) {
    client->ws.async_read(client->buffer, [this, client](beast::error_code ec, size_t) {
      if (ec) {
        ++closed_;
        return;
      }
      ++messages_;
      client->buffer.clear();
      Read(client);
    });
  }

  asio::io_context io_;
  std::vector<std::shared_ptr<Client>> clients_;
  std::atomic<uint64_t> messages_{0};
  std::atomic<int> closed_{0};
  std::thread thread_;
};

// CPU seconds (user + system) the process has used so far; -1 if unknown.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t end = text.rfind(')');
  if (end == std::string::npos) return -1;
  std::istringstream fields(text.substr(end + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

// Puts fresh random content on `a` under `key`; MB/s until it is visible on `b`, or -1.
// *cpu_s: the receiver's CPU seconds during the transfer.
double TimedTransfer(BenchCluster& cluster, const TestNode& a, const TestNode& b, const std::string& key,
                     uint64_t size_mib, uint64_t seed, double* cpu_s) {
  fs::path source = cluster.root() / ("src-" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  WriteRandomFile(source / "weights.bin", rng, size_mib << 20);
  auto put = BenchCluster::Call(a, "put", {{"key", key}, {"path", source.string()}});
  auto start = Clock::now();
  const double cpu_before = CpuSeconds(b.process->pid());
  if (!put || !BenchCluster::WaitVisible(b, key, put->value("version", ""), std::chrono::minutes(10))) {
    std::cerr << key << " did not arrive\n";
    return -1;
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  *cpu_s = CpuSeconds(b.process->pid()) - cpu_before;
  fs::remove_all(source);
  return static_cast<double>(size_mib) * 1.048576 / seconds;
}

int Main(const Options& options) {
  BenchCluster cluster;
  fs::path ca = cluster.MakeCa("ca", "bench");
  TestNode& a = cluster.AddNode("bench-a", ca, "cloud");
  TestNode& b = cluster.AddNode("bench-b", ca);
  cluster.Start(a, {}, {"--log-level", "info"});
  cluster.Start(b, {&a}, {"--log-level", "info"});
  if (::testing::Test::HasFailure()) {
    std::cerr << "a node did not start\n";
    return 1;
  }
  std::string http = cluster.CliJson(b, {"status"}).value("http_status", "");
  const uint16_t port = static_cast<uint16_t>(std::stoi(http.substr(http.rfind(':') + 1)));

  // Runs alternate (without, with) so that load from elsewhere on the machine hits both alike.
  std::vector<double> without, with, cpu_without, cpu_with;
  double cpu = 0;
  uint64_t seed = 1, messages = 0;
  size_t connected = 0;
  int dropped = 0;
  for (int i = 0; i < options.runs; ++i) {
    without.push_back(TimedTransfer(cluster, a, b, "model/plain-" + std::to_string(i), options.size_mib, seed++, &cpu));
    cpu_without.push_back(cpu);
    FeedClients clients(port, options.clients);
    with.push_back(TimedTransfer(cluster, a, b, "model/watched-" + std::to_string(i), options.size_mib, seed++, &cpu));
    cpu_with.push_back(cpu);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let the last events arrive
    connected = std::max(connected, clients.connected());
    messages += clients.messages();
    dropped += clients.closed();
  }

  // The receiver's CPU over 10 idle seconds, without and with the clients attached.
  const pid_t receiver = b.process->pid();
  double idle_cpu_without = CpuSeconds(receiver);
  std::this_thread::sleep_for(std::chrono::seconds(10));
  idle_cpu_without = CpuSeconds(receiver) - idle_cpu_without;
  double idle_cpu_with = 0;
  {
    FeedClients clients(port, options.clients);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // connected, snapshots sent
    idle_cpu_with = CpuSeconds(receiver);
    std::this_thread::sleep_for(std::chrono::seconds(10));
    idle_cpu_with = CpuSeconds(receiver) - idle_cpu_with;
  }

  const double plain = Median(without), watched = Median(with);
  std::cout << "replication " << options.size_mib << " MiB, no status clients:   " << plain << " MB/s\n";
  std::cout << "replication " << options.size_mib << " MiB, " << connected
            << " status clients: " << watched << " MB/s (" << messages
            << " messages delivered, " << dropped << " clients dropped)\n";
  std::cout << "receiver CPU per transfer: " << Median(cpu_without) << " s without, " << Median(cpu_with)
            << " s with clients; idle CPU over 10 s: " << idle_cpu_without << " s without, " << idle_cpu_with
            << " s with clients\n";
  json summary = {{"no_clients_mbps", plain}, {"with_clients_mbps", watched}, {"clients", connected},
                  {"client_messages", messages}, {"clients_dropped", dropped},
                  {"transfer_cpu_s_without", Median(cpu_without)}, {"transfer_cpu_s_with", Median(cpu_with)},
                  {"idle_cpu_s_per_10s_without", idle_cpu_without}, {"idle_cpu_s_per_10s_with", idle_cpu_with}};
  std::cout << summary.dump() << "\n";
  return plain > 0 && watched > 0 ? 0 : 1;
}

}  // namespace
}  // namespace edgesync::testing

int main(int argc, char** argv) {
  edgesync::testing::Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--size-mib")) options.size_mib = std::stoull(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--clients")) options.clients = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--runs")) options.runs = std::stoi(argv[i + 1]);
    else {
      std::cerr << "usage: bench_status_clients [--size-mib N] [--clients N] [--runs N]\n";
      return 2;
    }
  }
  return edgesync::testing::Main(options);
}
