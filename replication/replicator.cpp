#include "replication/replicator.h"

#include "replication/replicator_impl.h"
#include "transport/clock_skew.h"

namespace edgesync::replication {

Replicator::Replicator(Store& store, ReplicatorOptions options)
    : impl_(std::make_shared<Impl>(store, std::move(options))) {
  std::weak_ptr<Impl> weak = impl_;
  store.AddChangeListener([weak](const Change& change) {
    if (auto impl = weak.lock()) impl->OnLocalChange(change);
  });
  store.SetGcRootFilter([weak](const std::string& key, const VersionRecord& record,
                               const Manifest& manifest) -> Store::FileFilter {
    auto impl = weak.lock();
    return impl ? impl->GcRoots(key, record, manifest) : Store::FileFilter{};
  });
}

Replicator::~Replicator() {
  impl_->store_.SetGcRootFilter({});
  impl_->Shutdown();
}

void Replicator::OnLinkUp(Link& link) { impl_->OnLinkUp(link); }
void Replicator::OnMessage(Link& link, Lane lane, std::uint32_t type, std::string payload) {
  impl_->OnMessage(link, lane, type, std::move(payload));
}
void Replicator::OnLinkDown(Link& link, const std::string& reason) { impl_->OnLinkDown(link, reason); }
void Replicator::OnLinkRefused(const std::string& address, const std::string& reason) {
  impl_->Log(4, "link to " + address + " refused: " + reason);
}
std::vector<PeerStatus> Replicator::Peers() { return impl_->Peers(); }

void Replicator::RetryParked() { impl_->RetryParked(); }

std::optional<int64_t> Replicator::ClockSkewMs() {
  std::vector<int64_t> skews;
  for (const PeerStatus& peer : impl_->Peers()) {
    if (peer.clock_skew_ms) skews.push_back(*peer.clock_skew_ms);
  }
  return transport::NodeClockSkewMs(std::move(skews));
}
Result<std::vector<std::string>> Replicator::Resync(const ResyncScope& scope) { return impl_->StartResync(scope); }
std::vector<ResyncReport> Replicator::ResyncReports(const std::vector<std::string>& peers) {
  return impl_->ResyncReports(peers);
}
std::vector<KeyLocation> Replicator::Where(const std::string& key) { return impl_->Where(key); }
std::vector<PeerHolding> Replicator::Holding(const std::string& key, const std::string& version_id) {
  return impl_->Holding(key, version_id);
}
std::vector<UnservedVersion> Replicator::Unserved() { return impl_->Unserved(); }
Status Replicator::Refetch(const std::string& key, const VersionRecord& record, std::function<void(Status)> done) {
  return impl_->Refetch(key, record, std::move(done));
}
Status Replicator::UpdateSelection(std::vector<std::string> subscriptions,
                                   std::map<std::string, std::string> labels) {
  const bool widened = impl_->SetSelection(std::move(subscriptions), std::move(labels));
  EDGESYNC_RETURN_IF_ERROR(impl_->DropUnsubscribed());
  if (!widened) return Status::Ok();
  // Durably: keys skipped under the narrower selection are behind every checkpoint.
  EDGESYNC_RETURN_IF_ERROR(impl_->store_.ResetCheckpoints());
  return impl_->StartResync({}).status();
}
void Replicator::UpdatePriorities(std::vector<limits::PriorityRule> rules) {
  impl_->UpdatePriorities(std::move(rules));
}
size_t Replicator::ActiveTransfers() { return impl_->ActiveTransfers(); }
std::vector<TransferStatus> Replicator::Transfers() { return impl_->Transfers(); }
Result<size_t> Replicator::PendingCount() {
  auto intents = impl_->store_.PendingIntents();
  if (!intents.ok()) return intents.status();
  return intents->size();
}
void Replicator::Shutdown() { impl_->Shutdown(); }

}  // namespace edgesync::replication
