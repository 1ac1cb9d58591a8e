// StatusService: the daemon's status address in one piece: the StatusHub, the StatusFeed that
// fills it, and the HttpStatusServer that serves it. Built before replication starts (so
// replication's reports have somewhere to go), started once the replicator exists.
// Thread-safe after Start().
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "status/http_status_server.h"
#include "status/status_feed.h"
#include "status/status_hub.h"

namespace edgesync {

struct StatusServiceOptions {
  StatusFeedOptions feed;
  HttpStatusOptions http;  // snapshot, metrics and on_auth_failure are filled in by the service
};

class StatusService {
 public:
  // Creates the feed (reports are counted from now on). REQUIRES: `store` and `conflicts` (may
  // be null) outlive the service.
  StatusService(Store& store, conflict::ConflictMonitor* conflicts, StatusServiceOptions options);
  ~StatusService();

  // Starts the feed and serves `bound_fd` (a bound TCP socket, ownership taken; -1: feed only).
  // REQUIRES: `replicator` (may be null) outlives the service.
  Status Start(boost::asio::io_context& io, int bound_fd, replication::Replicator* replicator);
  // Closes the listener and every client; the feed stops sampling.
  void Stop();

  StatusFeed& feed() { return *feed_; }
  StatusHub& hub() { return hub_; }

 private:
  StatusServiceOptions options_;
  StatusHub hub_;
  std::shared_ptr<StatusFeed> feed_;
  std::unique_ptr<HttpStatusServer> server_;
};

}  // namespace edgesync
