#include "status/transfer_tracker.h"

namespace edgesync {

using nlohmann::json;

namespace {
// How long an applied version is remembered for matching the transfer that brought it.
constexpr std::chrono::seconds kAppliedMemory{30};
}  // namespace

void TransferTracker::MarkApplied(const std::string& key, const std::string& version_id,
                                  bool replicated, Clock::time_point now) {
  applied_[version_id] = Applied{key, replicated, false, now};
}

json TransferTracker::Event(const Tracked& t, uint64_t wall_ms, const char* state) {
  const auto& s = t.last;
  json sources = json::array({s.source});
  for (const auto& helper : s.helpers) sources.push_back(helper);
  json e = {{"type", "transfer"}, {"v", 1},          {"ts", wall_ms},
            {"key", s.key},       {"version", s.version_id},
            {"sources", sources},                   {"state", state}};
  e["done_bytes"] = s.done_bytes;
  if (s.have_manifest) e["total_bytes"] = s.total_bytes;
  if (std::string(state) == "running") {
    if (t.have_rate) e["rate_bps"] = static_cast<uint64_t>(t.rate_bps);
    if (s.have_manifest && t.rate_bps > 0 && s.total_bytes >= s.done_bytes)
      e["eta_s"] = static_cast<double>(s.total_bytes - s.done_bytes) / t.rate_bps;
  }
  return e;
}

std::vector<json> TransferTracker::Sample(Clock::time_point now, uint64_t wall_ms,
                                          const std::vector<replication::TransferStatus>& active) {
  std::vector<json> events;
  std::set<std::string> seen;
  for (const auto& s : active) {
    std::string id = s.key + '\0' + s.version_id;
    seen.insert(id);
    auto [it, fresh] = tracked_.try_emplace(id);
    Tracked& t = it->second;
    if (fresh) {
      t.started = t.rate_at = now;
    } else if (s.done_bytes < t.rate_bytes) {
      t.rate_at = now;  // restarted from another holder
      t.rate_bytes = s.done_bytes;
    } else if (now - t.rate_at >= min_interval_) {
      double seconds = std::chrono::duration<double>(now - t.rate_at).count();
      t.rate_bps = static_cast<double>(s.done_bytes - t.rate_bytes) / seconds;
      t.have_rate = true;
      t.rate_at = now;
      t.rate_bytes = s.done_bytes;
    }
    t.last = s;
    bool moved = !t.emitted || s.done_bytes != t.emitted_done;
    if (moved && (!t.emitted || now - t.emitted_at >= min_interval_)) {
      events.push_back(Event(t, wall_ms, "running"));
      t.emitted = true;
      t.emitted_at = now;
      t.emitted_done = s.done_bytes;
    }
  }
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    Tracked& t = it->second;
    if (auto applied = applied_.find(t.last.version_id); applied != applied_.end()) {
      applied->second.reported = true;
      if (t.last.have_manifest) t.last.done_bytes = t.last.total_bytes;
      events.push_back(Event(t, wall_ms, "done"));
      finished_.push_back(std::chrono::duration<double>(now - t.started).count());
    } else {
      json e = Event(t, wall_ms, "failed");
      e["error"] = "interrupted: the source went away or sent data that failed verification; "
                   "it resumes when a holder connects";
      events.push_back(std::move(e));
    }
    it = tracked_.erase(it);
  }
  for (auto it = applied_.begin(); it != applied_.end();) {
    Applied& a = it->second;
    bool in_flight = seen.count(a.key + '\0' + it->first) > 0;
    if (a.replicated && !a.reported && !in_flight) {
      // Fetched and applied between two samples: only the outcome is known.
      events.push_back({{"type", "transfer"}, {"v", 1}, {"ts", wall_ms}, {"key", a.key},
                        {"version", it->first}, {"state", "done"}});
      a.reported = true;
    }
    if (now - a.at > kAppliedMemory) it = applied_.erase(it);
    else ++it;
  }
  return events;
}

std::vector<json> TransferTracker::Current(uint64_t wall_ms) const {
  std::vector<json> out;
  for (const auto& [id, t] : tracked_) out.push_back(Event(t, wall_ms, "running"));
  return out;
}

std::vector<double> TransferTracker::TakeFinishedDurations() {
  std::vector<double> out;
  out.swap(finished_);
  return out;
}

}  // namespace edgesync
