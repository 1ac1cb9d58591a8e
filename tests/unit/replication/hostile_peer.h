// HostilePeer: a node that authenticates correctly (a real certificate from the test CA, a real
// TLS Transport and Hello) and whose replication layer is scripted by the test, so it can say
// what an honest Replicator never would: wrong chunk bytes, lying manifests, absurd vectors,
// floods. Incoming messages go to `respond` (on a network thread) and are counted.
// Thread-safety: Send, counters and WaitFor are safe from any thread; set `respond` before
// ConnectTo.
#pragma once

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tests/unit/transport/test_pki.h"
#include "transport/link_handler.h"
#include "transport/transport.h"

namespace edgesync::replication::testing {

class HostilePeer : public transport::LinkHandler {
 public:
  HostilePeer(transport::testing::TestPki& pki, std::string node_id, std::string role = "edge");
  // With a certificate issued elsewhere (`edgesync cluster sign` in an integration test), and
  // the labels its Hello claims (which must grant nothing).
  HostilePeer(const transport::testing::NodeFiles& files, const std::string& cluster_id, std::string node_id,
              std::map<std::string, std::string> hello_labels = {});
  ~HostilePeer() override;

  // Called for every message the victim sends; may call Send.
  std::function<void(std::uint32_t type, const std::string& payload)> respond;

  void ConnectTo(std::uint16_t port);
  bool Send(transport::Lane lane, std::uint32_t type, std::string payload);
  // True once a link is up (and until it goes down).
  bool connected() const { return connected_; }
  // Reason of the last link loss ("" while none).
  std::string down_reason() const;
  size_t received(std::uint32_t type) const;
  // Waits until a message of `type` arrived (counted since start) or the timeout passes.
  bool WaitFor(std::uint32_t type, size_t count = 1, int timeout_ms = 10000);
  const std::string& id() const { return node_id_; }

  void OnLinkUp(transport::Link& link) override;
  void OnMessage(transport::Link& link, transport::Lane lane, std::uint32_t type, std::string payload) override;
  void OnLinkDown(transport::Link& link, const std::string& reason) override;

 private:
  std::string node_id_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<transport::Transport> transport_;
  std::thread thread_;
  std::atomic<bool> connected_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<transport::Link> link_;     // guarded by mu_
  std::map<std::uint32_t, size_t> received_;  // guarded by mu_
  std::string down_reason_;                   // guarded by mu_
};

// Scripts `peer` as a partial holder of whatever the victim fetches: it answers each of the
// victim's availability messages with `held(victim's bits)`, claims to fetch everything, and
// answers every chunk request with bytes that are not the chunk. Replaces `peer.respond`.
void ClaimChunks(HostilePeer& peer, std::function<std::string(const std::string&)> held);

}  // namespace edgesync::replication::testing
