// ReplNode: one complete replicating node for tests — a Store in a temp dir, a TLS Transport on
// 127.0.0.1 with an ephemeral port, and a Replicator, each on its own threads.
// Thread-safety: the test drives it from one thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "replication/replicator.h"
#include "store/store.h"
#include "tests/unit/transport/test_pki.h"
#include "transport/transport.h"

namespace edgesync::replication::testing {

class ReplNode {
 public:
  // `data_dir` survives Stop(), so a node can be restarted on the same store.
  ReplNode(transport::testing::TestPki& pki, std::string node_id, std::filesystem::path data_dir,
           std::string role = "edge");
  ~ReplNode();

  // Selective sync settings used by the next Start().
  void SetSelection(std::vector<std::string> subscriptions, std::map<std::string, std::string> labels) {
    subscriptions_ = std::move(subscriptions);
    labels_ = std::move(labels);
  }
  // Adjusts the store and replicator options of the next Start() (e.g. a write ACL).
  std::function<void(StoreOptions&, ReplicatorOptions&)> configure;
  void Start();
  void Stop();
  uint16_t port() const { return port_; }
  void ConnectTo(const ReplNode& other);
  Store& store() { return *store_; }
  Replicator& replicator() { return *replicator_; }
  const std::string& id() const { return node_id_; }
  const transport::testing::NodeFiles& files() const { return files_; }
  std::vector<std::string> log() const;

 private:
  transport::testing::TestPki& pki_;
  std::string node_id_;
  std::filesystem::path data_dir_;
  transport::testing::NodeFiles files_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<boost::asio::thread_pool> blocking_;
  std::unique_ptr<Replicator> replicator_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<transport::Transport> transport_;
  std::vector<std::thread> io_threads_;
  uint16_t port_ = 0;
  std::vector<std::string> subscriptions_;
  std::map<std::string, std::string> labels_;
  mutable std::mutex log_mu_;
  std::vector<std::string> log_;
};

}  // namespace edgesync::replication::testing
