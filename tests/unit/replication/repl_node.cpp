#include "tests/unit/replication/repl_node.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "replication/message_types.h"

namespace edgesync::replication::testing {

ReplNode::ReplNode(transport::testing::TestPki& pki, std::string node_id, std::filesystem::path data_dir,
                   std::string role)
    : pki_(pki), node_id_(std::move(node_id)), data_dir_(std::move(data_dir)) {
  files_ = pki_.Issue(node_id_, role);
}

ReplNode::~ReplNode() { Stop(); }

void ReplNode::Start() {
  StoreOptions so;
  so.path = data_dir_;
  so.node_id = node_id_;
  ReplicatorOptions ro;
  if (configure) configure(so, ro);
  auto store = Store::Open(so);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  store_ = std::move(store).value();
  blocking_ = std::make_unique<boost::asio::thread_pool>(2);
  ro.window_bytes = 4u << 20;
  ro.subscriptions = subscriptions_;
  ro.labels = labels_;
  ro.run_blocking = [pool = blocking_.get()](std::function<void()> fn) { boost::asio::post(*pool, std::move(fn)); };
  ro.log = [this](int level, const std::string& msg) {
    std::lock_guard lock(log_mu_);
    log_.push_back("<" + std::to_string(level) + ">" + msg);
  };
  replicator_ = std::make_unique<Replicator>(*store_, ro);
  io_ = std::make_unique<boost::asio::io_context>();
  auto options = transport::testing::LoopbackOptions(files_, "test-cluster", node_id_);
  options.local_hello.store_epoch = store_->epoch();
  options.local_hello.min_protocol_version = kMinProtocolVersion;
  options.local_hello.max_protocol_version = kMaxProtocolVersion;
  if (port_ != 0) options.listen_port = port_;  // keep the address across restarts
  auto transport = transport::Transport::Create(*io_, options, *replicator_);
  ASSERT_TRUE(transport.ok()) << transport.status().ToString();
  transport_ = std::move(transport).value();
  auto port = transport_->Listen();
  ASSERT_TRUE(port.ok()) << port.status().ToString();
  port_ = port.value();
  for (int i = 0; i < 2; ++i)
    io_threads_.emplace_back([io = io_.get()] {
      auto guard = boost::asio::make_work_guard(*io);
      io->run();
    });
}

void ReplNode::Stop() {
  if (!transport_) return;
  transport_->Shutdown();
  replicator_->Shutdown();
  io_->stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  // Everything that may hold a link (pool tasks, the replicator's queues) goes before the
  // io_context the links are bound to.
  blocking_->join();
  transport_.reset();
  replicator_.reset();
  io_.reset();
  blocking_.reset();
  store_.reset();
}

void ReplNode::ConnectTo(const ReplNode& other) { transport_->ConnectTo("127.0.0.1", other.port()); }

std::vector<std::string> ReplNode::log() const {
  std::lock_guard lock(log_mu_);
  return log_;
}

}  // namespace edgesync::replication::testing
