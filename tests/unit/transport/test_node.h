// TestNode: one Transport on its own io_context thread plus a handler recording what happened,
// for loopback integration tests. Waits are bounded by timeouts.
// Thread-safety: RecordingHandler is safe for concurrent access; TestNode is used by one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "transport/transport.h"

namespace edgesync::transport::testing {

struct ReceivedMessage {
  std::string from;
  Lane lane;
  std::uint32_t type;
  std::string payload;
};

class RecordingHandler : public LinkHandler {
 public:
  void OnLinkUp(Link& link) override;
  void OnMessage(Link& link, Lane lane, std::uint32_t type, std::string payload) override;
  void OnLinkDown(Link& link, const std::string& reason) override;
  void OnLinkRefused(const std::string& address, const std::string& reason) override;

  // Runs inside OnMessage before recording (e.g. to block the io thread like a slow reader).
  void SetOnMessageHook(std::function<void()> hook);

  // Waits until `predicate` holds over the recorded state, or the timeout passes.
  bool WaitFor(const std::function<bool(const RecordingHandler&)>& predicate,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

  // Read under WaitFor's predicate or after the node stopped.
  std::vector<std::string> ups;        // peer node ids, in order
  std::vector<PeerInfo> up_peers;
  std::vector<std::string> downs;      // reasons
  std::vector<std::string> refusals;   // reasons
  std::vector<ReceivedMessage> messages;
  bool ContainsRefusal(const std::string& needle) const;
  bool ContainsDown(const std::string& needle) const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<void()> on_message_hook_;
};

class TestNode {
 public:
  // Creates the transport (ASSERT-style failures are reported through ok()).
  explicit TestNode(TransportOptions options);
  ~TestNode();

  bool ok() const { return transport_ != nullptr; }
  const std::string& create_error() const { return create_error_; }
  RecordingHandler& handler() { return handler_; }
  Transport& transport() { return *transport_; }
  std::uint16_t Listen();
  void ConnectTo(std::uint16_t port) { transport_->ConnectTo("127.0.0.1", port); }
  // The live link to `node_id`, or null.
  std::shared_ptr<Link> LinkTo(const std::string& node_id);
  // Shuts down and joins the io thread (bounded).
  void Stop();

 private:
  RecordingHandler handler_;
  boost::asio::io_context io_;
  std::unique_ptr<Transport> transport_;
  std::string create_error_;
  std::thread thread_;
};

}  // namespace edgesync::transport::testing
