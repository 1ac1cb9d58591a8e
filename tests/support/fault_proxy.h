// FaultProxy: a TCP forwarder on 127.0.0.1 that stands in for a bad network link between two
// test daemons. A daemon dials the proxy's port; the proxy dials the target port and copies
// bytes both ways, applying the current fault:
//   kPass      forward as is
//   kDelay     hold every read for `delay` before forwarding it (latency, jitter-free)
//   kDrop      discard each read with probability `drop_probability` and then close that
//              connection (what a stream protocol sees when a middlebox loses data)
//   kTruncate  close each connection once it has carried `truncate_after` bytes
//   kStall     forward nothing on the connections open when it is set and keep them open (a
//              silently dead path, as after a NAT drops its state); later connections pass
//   kCut       close every connection and refuse new ones (accept, then close at once)
// SetFault() applies at once to open connections; Heal() is SetFault(kPass).
// One thread owns every socket; the public methods are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace edgesync::testing {

struct LinkFault {
  enum class Kind { kPass, kDelay, kDrop, kTruncate, kStall, kCut };
  Kind kind = Kind::kPass;
  std::chrono::milliseconds delay{0};
  double drop_probability = 0;
  uint64_t truncate_after = 0;
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 (ephemeral port) and forwards to 127.0.0.1:`target_port`.
  explicit FaultProxy(uint16_t target_port, uint64_t seed = 1);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void SetFault(const LinkFault& fault);
  void Heal() { SetFault(LinkFault{}); }

  // Totals since construction.
  uint64_t bytes_forwarded() const { return forwarded_.load(); }
  uint64_t connections_accepted() const { return accepted_.load(); }
  uint64_t connections_broken() const { return broken_.load(); }

 private:
  void Run();
  void Wake();

  uint16_t target_port_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  uint64_t seed_;

  mutable std::mutex mu_;
  LinkFault fault_;     // guarded by mu_
  bool stop_ = false;   // guarded by mu_
  uint64_t generation_ = 0;  // guarded by mu_; counts SetFault calls

  std::atomic<uint64_t> forwarded_{0};
  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> broken_{0};
  std::thread thread_;
};

}  // namespace edgesync::testing
