// ModelIndex: the in-memory view of every model's latest spec that answers selections.
//
// Exists so a selection over thousands of models never reads manifests: the catalog fills it
// at open from each model's latest head and keeps it current from the store's change
// listener. Safe for concurrent access (a shared mutex: many selections, one writer).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "catalog/model_query.h"
#include "catalog/model_spec.h"

namespace edgesync {

struct SelectedModel {
  std::string key;
  std::string version_id;
  std::string task;
  std::vector<std::string> labels;  // as declared
  std::map<std::string, Metric> metrics;
  bool operator==(const SelectedModel&) const = default;
};

class ModelIndex {
 public:
  // Inserts or replaces the entry of `key` unless the index already holds a newer one
  // (a higher change-log sequence number; 0 = unknown, used by the initial scan).
  void Upsert(const std::string& key, const std::string& version_id, const ModelSpec& spec,
              uint64_t seq);
  // Removes `key` unless a newer entry is held.
  void Erase(const std::string& key, uint64_t seq);

  // Matching models: filtered, ordered by `order_by` in the metric's direction (models lacking
  // it last), ties and unordered queries by key, then limited. Results share the index's
  // immutable entries, so large answers copy no strings.
  std::vector<std::shared_ptr<const SelectedModel>> Select(const ModelQuery& query) const;

  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const SelectedModel> model;  // null once erased
    std::vector<std::string> sorted_labels;
    std::map<std::string, std::string> metadata;
    uint64_t seq = 0;
    bool erased = false;  // kept as a marker so an older scan result cannot resurrect it
  };
  bool Matches(const Entry& e, const ModelQuery& q) const;

  mutable SharedMutex mu_;
  std::unordered_map<std::string, Entry> entries_ GUARDED_BY(mu_);
  size_t live_ GUARDED_BY(mu_) = 0;
};

}  // namespace edgesync
