#include "status/status_service.h"

#include <unistd.h>

namespace edgesync {

StatusService::StatusService(Store& store, conflict::ConflictMonitor* conflicts,
                             StatusServiceOptions options)
    : options_(std::move(options)),
      feed_(StatusFeed::Create(store, conflicts, hub_, options_.feed)) {}

StatusService::~StatusService() { Stop(); }

Status StatusService::Start(boost::asio::io_context& io, int bound_fd,
                            replication::Replicator* replicator) {
  HttpStatusOptions http = options_.http;
  std::weak_ptr<StatusFeed> weak = feed_;
  http.snapshot = [weak] {
    auto feed = weak.lock();
    return feed ? feed->Snapshot() : std::string("{}");
  };
  http.metrics = [weak, this] {
    auto feed = weak.lock();
    if (!feed) return std::string();
    if (server_) feed->SetStatusClients(server_->feed_clients());
    return feed->MetricsText();
  };
  http.on_auth_failure = [weak](const std::string& client) {
    if (auto feed = weak.lock()) feed->OnHttpAuthFailure(client);
  };
  feed_->Start(replicator);
  if (bound_fd < 0) return Status::Ok();
  auto server = HttpStatusServer::Start(io, bound_fd, hub_, std::move(http));
  if (!server.ok()) {
    ::close(bound_fd);
    return server.status();
  }
  server_ = std::move(*server);
  return Status::Ok();
}

void StatusService::Stop() {
  if (server_) server_->Stop();
  feed_->Stop();
}

}  // namespace edgesync
