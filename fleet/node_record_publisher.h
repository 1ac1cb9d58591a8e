// NodeRecordPublisher: keeps this node's meta/nodes/<node id> document (node_record.h) current.
// It writes the record at start, within `min_gap` of a Poke (a model or dataset head changed
// here, a deployment changed state), and at least every `heartbeat` so readers can tell a
// silent node from a quiet one; never more often than once per `min_gap`. A record that would
// say nothing new is still written at the heartbeat (its `updated_ms` is the news).
// Thread-safe: one thread of its own writes; Poke may be called from any thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "catalog/catalog.h"
#include "fleet/node_record.h"
#include "store/store.h"

namespace edgesync {

class NodeRecordPublisher {
 public:
  struct Options {
    std::string node_id;
    std::string software_version;
    std::function<std::map<std::string, std::string>()> labels;
    // Deployment name -> {"key", "active", "state"}; optional.
    std::function<nlohmann::json()> deployments;
    std::function<uint64_t()> store_bytes;      // optional
    std::function<uint64_t()> disk_free_bytes;  // optional
    std::chrono::milliseconds heartbeat{60'000};
    std::chrono::milliseconds min_gap{1'000};
  };

  // REQUIRES: `store` and `catalog` outlive the publisher.
  NodeRecordPublisher(Store& store, Catalog& catalog, Options options);
  ~NodeRecordPublisher();  // stops the thread

  void Start() EXCLUDES(mu_);
  // Something the record shows changed: write it soon.
  void Poke() EXCLUDES(mu_);

  // The record as it would be written now (exposed for tests and `edgesync fleet` on this node).
  NodeRecord Build() EXCLUDES(mu_);

 private:
  void Run() EXCLUDES(mu_);
  void Publish() EXCLUDES(mu_);

  Store& store_;
  Catalog& catalog_;
  const Options options_;

  Mutex mu_;
  CondVar wake_;
  bool poked_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  // What the last record said, to tell when the holdings or deployments last changed.
  nlohmann::json last_content_ GUARDED_BY(mu_);
  uint64_t last_change_ms_ GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace edgesync
