#include "catalog/model_index.h"

#include <algorithm>
#include <mutex>
#include <optional>

namespace edgesync {

void ModelIndex::Upsert(const std::string& key, const std::string& version_id,
                        const ModelSpec& spec, uint64_t seq) {
  Entry e;
  e.model = std::make_shared<const SelectedModel>(
      SelectedModel{key, version_id, spec.task, spec.labels, spec.metrics});
  e.sorted_labels = spec.labels;
  std::sort(e.sorted_labels.begin(), e.sorted_labels.end());
  e.metadata = spec.metadata;
  e.seq = seq;
  ExclusiveLock lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    entries_.emplace(key, std::move(e));
    ++live_;
    return;
  }
  if (it->second.seq > seq) return;
  if (it->second.erased) ++live_;
  it->second = std::move(e);
}

void ModelIndex::Erase(const std::string& key, uint64_t seq) {
  ExclusiveLock lock(mu_);
  auto& e = entries_[key];
  if (e.seq > seq) return;
  if (!e.erased && e.model) --live_;
  e = Entry{};
  e.seq = seq;
  e.erased = true;
}

size_t ModelIndex::size() const {
  SharedLock lock(mu_);
  return live_;
}

bool ModelIndex::Matches(const Entry& e, const ModelQuery& q) const {
  if (e.erased) return false;
  if (!q.key_prefix.empty() && !e.model->key.starts_with(q.key_prefix)) return false;
  if (!q.task.empty() && e.model->task != q.task) return false;
  const auto& labels = e.sorted_labels;
  auto has = [&](const std::string& l) { return std::binary_search(labels.begin(), labels.end(), l); };
  if (!std::all_of(q.labels_all.begin(), q.labels_all.end(), has)) return false;
  if (!q.labels_any.empty() && std::none_of(q.labels_any.begin(), q.labels_any.end(), has))
    return false;
  for (const auto& [k, v] : q.metadata) {
    auto it = e.metadata.find(k);
    if (it == e.metadata.end() || it->second != v) return false;
  }
  for (const auto& c : q.metrics) {
    auto it = e.model->metrics.find(c.metric);
    if (it == e.model->metrics.end() || !c.Matches(it->second.value)) return false;
  }
  return true;
}

std::vector<std::shared_ptr<const SelectedModel>> ModelIndex::Select(const ModelQuery& query) const {
  struct Hit {
    const SelectedModel* model;
    const Metric* order;  // the order_by metric, null when absent or unordered
  };
  std::vector<Hit> hits;
  std::vector<const std::shared_ptr<const SelectedModel>*> owners;
  SharedLock lock(mu_);
  for (const auto& [key, e] : entries_) {
    if (!Matches(e, query)) continue;
    const Metric* order = nullptr;
    if (!query.order_by.empty()) {
      auto it = e.model->metrics.find(query.order_by);
      if (it != e.model->metrics.end()) order = &it->second;
    }
    hits.push_back({e.model.get(), order});
    owners.push_back(&e.model);
  }
  // The direction declared by the matched models; the default for the name if they disagree.
  std::optional<MetricDirection> direction;
  bool disagree = false;
  for (const Hit& h : hits) {
    if (!h.order) continue;
    if (direction && *direction != h.order->direction) disagree = true;
    direction = h.order->direction;
  }
  if (!direction || disagree) direction = DefaultMetricDirection(query.order_by);
  const bool lower = *direction == MetricDirection::kLowerIsBetter;
  auto better = [&](const Hit& a, const Hit& b) {
    if ((a.order != nullptr) != (b.order != nullptr)) return a.order != nullptr;
    if (a.order && a.order->value != b.order->value)
      return lower ? a.order->value < b.order->value : a.order->value > b.order->value;
    return a.model->key < b.model->key;
  };
  // Sort indexes so the owning pointers follow their hits.
  std::vector<uint32_t> order(hits.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  size_t n = query.limit == 0 ? hits.size() : std::min(query.limit, hits.size());
  std::partial_sort(order.begin(), order.begin() + n, order.end(),
                    [&](uint32_t a, uint32_t b) { return better(hits[a], hits[b]); });
  std::vector<std::shared_ptr<const SelectedModel>> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(*owners[order[i]]);
  return out;
}

}  // namespace edgesync
