// WaitTarget: what `edgesync put --wait` waits for, and whether the fleet as this node knows it
// (Replicator::Holding) meets it. Either a number of peers, or every known peer carrying a
// label. This node is never counted: it holds what it just wrote. Pure values and functions.
#pragma once

#include <string>
#include <vector>

#include "replication/replicator.h"
#include "base/status.h"

namespace edgesync {

struct WaitTarget {
  size_t peers = 0;         // "N": at least N other nodes hold the version
  std::string label_key;    // "key=value": every known peer with that label holds it
  std::string label_value;

  // "3" or "role=edge"; anything else is InvalidArgument.
  static Result<WaitTarget> Parse(const std::string& text);
  std::string ToString() const;
};

struct WaitProgress {
  bool met = false;
  std::vector<std::string> holders;  // peers that count and hold the version
  std::vector<std::string> missing;  // peers that count and do not, "(disconnected)" noted
  std::string summary;               // one line for people, e.g. "1 of 2 role=edge nodes"
};

WaitProgress Evaluate(const WaitTarget& target, const std::vector<replication::PeerHolding>& fleet);

}  // namespace edgesync
