#include "control/wait_target.h"

#include <charconv>

namespace edgesync {

Result<WaitTarget> WaitTarget::Parse(const std::string& text) {
  WaitTarget target;
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    size_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n == 0) {
      return Status::InvalidArgument("--wait takes a number of nodes (1 or more) or label=value, not \"" +
                                     text + "\"");
    }
    target.peers = n;
    return target;
  }
  target.label_key = text.substr(0, eq);
  target.label_value = text.substr(eq + 1);
  if (target.label_key.empty() || target.label_value.empty()) {
    return Status::InvalidArgument("--wait label=value needs both a label and a value, not \"" + text + "\"");
  }
  return target;
}

std::string WaitTarget::ToString() const {
  return label_key.empty() ? std::to_string(peers) : label_key + "=" + label_value;
}

WaitProgress Evaluate(const WaitTarget& target, const std::vector<replication::PeerHolding>& fleet) {
  WaitProgress progress;
  size_t counted = 0;
  for (const auto& peer : fleet) {
    if (!target.label_key.empty()) {
      auto label = peer.labels.find(target.label_key);
      if (label == peer.labels.end() || label->second != target.label_value) continue;
    }
    ++counted;
    if (peer.holds) progress.holders.push_back(peer.node_id);
    else progress.missing.push_back(peer.node_id + (peer.connected ? "" : peer.reported ? " (by its record)" : " (disconnected)"));
  }
  const size_t held = progress.holders.size();
  if (target.label_key.empty()) {
    progress.met = held >= target.peers;
    progress.summary = std::to_string(held) + " of " + std::to_string(target.peers) +
                       " nodes hold it (" + std::to_string(fleet.size()) + " nodes known)";
  } else {
    // No known node with the label is not success: the fleet may simply not have connected yet.
    progress.met = counted > 0 && progress.missing.empty();
    progress.summary = counted == 0 ? "no known node has " + target.ToString()
                                    : std::to_string(held) + " of " + std::to_string(counted) + " " +
                                          target.ToString() + " nodes hold it";
  }
  return progress;
}

}  // namespace edgesync
