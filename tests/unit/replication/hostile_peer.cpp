#include "tests/unit/replication/hostile_peer.h"

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "replication/message_types.h"
#include "replication/messages.h"

namespace edgesync::replication::testing {

HostilePeer::HostilePeer(transport::testing::TestPki& pki, std::string node_id, std::string role)
    : HostilePeer(pki.Issue(node_id, role), "test-cluster", node_id) {}

HostilePeer::HostilePeer(const transport::testing::NodeFiles& files, const std::string& cluster_id,
                         std::string node_id, std::map<std::string, std::string> hello_labels)
    : node_id_(std::move(node_id)), io_(std::make_unique<boost::asio::io_context>()) {
  auto options = transport::testing::LoopbackOptions(files, cluster_id, node_id_);
  if (!hello_labels.empty()) options.local_hello.labels = std::move(hello_labels);
  options.local_hello.store_epoch = "hostile-epoch";
  options.local_hello.min_protocol_version = kMinProtocolVersion;
  options.local_hello.max_protocol_version = kMaxProtocolVersion;
  auto transport = transport::Transport::Create(*io_, options, *this);
  EXPECT_TRUE(transport.ok()) << transport.status().ToString();
  if (transport.ok()) transport_ = std::move(transport).value();
  thread_ = std::thread([io = io_.get()] {
    auto guard = boost::asio::make_work_guard(*io);
    io->run();
  });
}

HostilePeer::~HostilePeer() {
  if (transport_) transport_->Shutdown();
  io_->stop();
  thread_.join();
}

void HostilePeer::ConnectTo(std::uint16_t port) { transport_->ConnectTo("127.0.0.1", port); }

bool HostilePeer::Send(transport::Lane lane, std::uint32_t type, std::string payload) {
  std::shared_ptr<transport::Link> link;
  {
    std::lock_guard lock(mu_);
    link = link_;
  }
  return link && link->Send(lane, type, std::move(payload));
}

std::string HostilePeer::down_reason() const {
  std::lock_guard lock(mu_);
  return down_reason_;
}

size_t HostilePeer::received(std::uint32_t type) const {
  std::lock_guard lock(mu_);
  auto it = received_.find(type);
  return it == received_.end() ? 0 : it->second;
}

bool HostilePeer::WaitFor(std::uint32_t type, size_t count, int timeout_ms) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return received_[type] >= count; });
}

void HostilePeer::OnLinkUp(transport::Link& link) {
  std::lock_guard lock(mu_);
  link_ = link.shared_from_this();
  connected_ = true;
}

void HostilePeer::OnMessage(transport::Link&, transport::Lane, std::uint32_t type, std::string payload) {
  {
    std::lock_guard lock(mu_);
    ++received_[type];
  }
  cv_.notify_all();
  if (respond) respond(type, payload);
}

void HostilePeer::OnLinkDown(transport::Link&, const std::string& reason) {
  std::lock_guard lock(mu_);
  link_.reset();
  connected_ = false;
  down_reason_ = reason;
}

void ClaimChunks(HostilePeer& peer, std::function<std::string(const std::string&)> held) {
  peer.respond = [&peer, held = std::move(held)](uint32_t type, const std::string& payload) {
    if (type == kChangesRequest) {
      peer.Send(transport::Lane::kControl, kChangesBatch, Encode(ChangesBatch{}));
    } else if (type == kChunkAvailability) {
      ChunkAvailability a = DecodeChunkAvailability(payload).value();
      a.held = held(a.held);
      a.fetching_all = true;
      peer.Send(transport::Lane::kControl, kChunkAvailability, Encode(a));
    } else if (type == kChunkRequest) {
      const ChunkRequest request = DecodeChunkRequest(payload).value();
      for (const auto& id : request.ids)
        peer.Send(transport::Lane::kBulk, kChunkData, Encode(ChunkData{id, true, std::string(1000, 'z')}));
    }
  };
}

}  // namespace edgesync::replication::testing
