#include "store/version_vector.h"

#include <charconv>

namespace edgesync {

const char* VectorOrderName(VectorOrder order) {
  switch (order) {
    case VectorOrder::kEqual: return "equal";
    case VectorOrder::kDominates: return "dominates";
    case VectorOrder::kDominated: return "dominated";
    case VectorOrder::kConcurrent: return "concurrent";
  }
  return "unknown";
}

VersionVector::VersionVector(std::map<std::string, uint64_t> counters) {
  for (auto& [node, c] : counters)
    if (c != 0) counters_.emplace(node, c);
}

uint64_t VersionVector::Get(const std::string& node) const {
  auto it = counters_.find(node);
  return it == counters_.end() ? 0 : it->second;
}

void VersionVector::Set(const std::string& node, uint64_t counter) {
  if (counter == 0) counters_.erase(node);
  else counters_[node] = counter;
}

void VersionVector::Increment(const std::string& node) { ++counters_[node]; }

void VersionVector::MergeFrom(const VersionVector& other) {
  for (const auto& [node, c] : other.counters_) {
    uint64_t& mine = counters_[node];
    if (c > mine) mine = c;
  }
}

VectorOrder VersionVector::Compare(const VersionVector& other) const {
  bool greater = false, less = false;
  auto a = counters_.begin(), b = other.counters_.begin();
  while (a != counters_.end() || b != other.counters_.end()) {
    if (b == other.counters_.end() || (a != counters_.end() && a->first < b->first)) {
      greater = true;
      ++a;
    } else if (a == counters_.end() || b->first < a->first) {
      less = true;
      ++b;
    } else {
      if (a->second > b->second) greater = true;
      if (a->second < b->second) less = true;
      ++a;
      ++b;
    }
  }
  if (greater && less) return VectorOrder::kConcurrent;
  if (greater) return VectorOrder::kDominates;
  if (less) return VectorOrder::kDominated;
  return VectorOrder::kEqual;
}

std::string VersionVector::ToString() const {
  std::string out;
  for (const auto& [node, c] : counters_) {
    if (!out.empty()) out += ',';
    out += node;
    out += ':';
    out += std::to_string(c);
  }
  return out;
}

Result<VersionVector> VersionVector::Parse(const std::string& text) {
  VersionVector v;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string_view item(text.data() + start, end - start);
    size_t colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return Status::InvalidArgument("bad version vector entry '" + std::string(item) + "'");
    uint64_t c = 0;
    auto digits = item.substr(colon + 1);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), c);
    if (ec != std::errc() || p != digits.data() + digits.size() || c == 0)
      return Status::InvalidArgument("bad counter in version vector entry '" + std::string(item) + "'");
    std::string node(item.substr(0, colon));
    if (v.counters_.count(node))
      return Status::InvalidArgument("node '" + node + "' appears twice in version vector");
    v.counters_[node] = c;
    start = end + 1;
  }
  return v;
}

}  // namespace edgesync
