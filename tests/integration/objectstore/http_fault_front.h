// HttpFaultFront: a small HTTP-aware TCP front on 127.0.0.1 between a client and an S3 server,
// injecting the faults an object store shows: answers a server error (503 SlowDown, 500
// InternalError) to the first N matching requests without forwarding them, or forwards a
// request and cuts the connection after K bytes of its answer. Every request gets a connection
// of its own (the front adds "Connection: close"), so each is seen and counted. Matching is by
// method ("GET", "PUT", ...; "" for any). tests/support's FaultProxy works below HTTP and cannot
// answer a request; this one can.
// The public methods are thread-safe; one thread accepts, one thread serves each connection.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace edgesync::objectstore::testing {

struct HttpFault {
  std::string method;  // the requests it applies to; "" for all
  int fail_count = 0;  // answer the first N of them with `status` / `code`
  int status = 503;
  std::string code = "SlowDown";
  int cut_count = 0;       // forward, and cut the first N answers
  uint64_t cut_after = 0;  // after this many bytes of the answer (head included)
};

class HttpFaultFront {
 public:
  explicit HttpFaultFront(uint16_t target_port);
  ~HttpFaultFront();
  HttpFaultFront(const HttpFaultFront&) = delete;
  HttpFaultFront& operator=(const HttpFaultFront&) = delete;

  uint16_t port() const { return port_; }
  // Replaces the fault and resets the counters below. A fault that injects nothing still
  // counts the requests it matches.
  void SetFault(const HttpFault& fault);

  int failed() const { return failed_.load(); }      // requests answered with the error
  int cut() const { return cut_.load(); }            // answers cut
  int requests() const { return requests_.load(); }  // requests the fault's method matched

 private:
  void Accept();
  void Serve(int client);

  uint16_t target_port_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_{0};
  std::atomic<int> cut_{0};
  std::atomic<int> requests_{0};

  std::mutex mu_;
  HttpFault fault_;                   // guarded by mu_
  int failed_budget_used_ = 0;        // guarded by mu_
  int cut_budget_used_ = 0;           // guarded by mu_
  std::vector<std::thread> threads_;  // guarded by mu_
  std::thread acceptor_;
};

}  // namespace edgesync::objectstore::testing
