#include "control/limits_command.h"

namespace edgesync {
namespace {

using nlohmann::json;

json RateJson(limits::Rate rate) { return limits::FormatRate(rate); }
json OptionalRateJson(const std::optional<limits::Rate>& rate) {
  return rate ? RateJson(*rate) : json(nullptr);
}

}  // namespace

json LimitsJson(const limits::BandwidthLimiter::Snapshot& snapshot,
                const std::vector<limits::PriorityRule>& priorities) {
  const limits::LimitsInForce& now = snapshot.node;
  const limits::BandwidthConfig& config = snapshot.config;
  json answer = {
      {"send", RateJson(now.send)},
      {"recv", RateJson(now.recv)},
      {"send_bytes_per_second", now.send.bytes_per_second},
      {"recv_bytes_per_second", now.recv.bytes_per_second},
      {"window", now.window < 0 ? json(nullptr) : json(config.schedule[now.window].Describe())},
      {"until_ms", now.until ? json(static_cast<int64_t>(*now.until) * 1000) : json(nullptr)},
      {"until", now.until ? json(limits::LocalTimeText(*now.until)) : json(nullptr)},
      {"max_send_rate", RateJson(config.max_send)},
      {"max_recv_rate", RateJson(config.max_recv)},
      {"sent_bytes", snapshot.node_sent_bytes},
      {"requested_bytes", snapshot.node_requested_bytes},
      {"schedule", json::array()},
      {"peer_rates", json::array()},
      {"priorities", json::array()},
  };
  for (const limits::RateWindow& w : config.schedule) {
    answer["schedule"].push_back(
        {{"window", w.Describe()}, {"send", OptionalRateJson(w.send)}, {"recv", OptionalRateJson(w.recv)}});
  }
  for (const limits::PeerRateOverride& o : config.peers) {
    answer["peer_rates"].push_back(
        {{"peer", o.Describe()}, {"send", OptionalRateJson(o.send)}, {"recv", OptionalRateJson(o.recv)}});
  }
  for (const limits::PriorityRule& rule : priorities)
    answer["priorities"].push_back({{"glob", rule.glob}, {"class", limits::PriorityClassName(rule.cls)}});
  return answer;
}

void RegisterLimitsCommand(CommandDispatcher& dispatcher, limits::BandwidthLimiter& bandwidth,
                           PrioritySource priorities) {
  dispatcher.Register("limits", CommandLane::kQuick,
                      [&bandwidth, priorities](const json&, CommandContext&) -> Result<json> {
                        return LimitsJson(bandwidth.Current(), priorities());
                      });
}

}  // namespace edgesync
