#include "fleet/node_record_publisher.h"

#include <spdlog/spdlog.h>

#include "base/wall_clock.h"

namespace edgesync {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

NodeRecordPublisher::NodeRecordPublisher(Store& store, Catalog& catalog, Options options)
    : store_(store), catalog_(catalog), options_(std::move(options)) {}

NodeRecordPublisher::~NodeRecordPublisher() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    wake_.NotifyAll();
  }
  if (thread_.joinable()) thread_.join();
}

void NodeRecordPublisher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void NodeRecordPublisher::Poke() {
  MutexLock lock(mu_);
  poked_ = true;
  wake_.NotifyAll();
}

void NodeRecordPublisher::Run() {
  Clock::time_point last = Clock::time_point::min();
  for (bool first = true;; first = false) {
    {
      MutexLock lock(mu_);
      while (!stopping_ && !first) {
        const Clock::time_point heartbeat = last + options_.heartbeat;
        const Clock::time_point soonest = last + options_.min_gap;
        const Clock::time_point due = poked_ ? std::max(soonest, Clock::now()) : heartbeat;
        if (Clock::now() >= due) break;
        wake_.WaitUntil(mu_, due);
      }
      if (stopping_) return;
      poked_ = false;
    }
    last = Clock::now();
    Publish();
  }
}

NodeRecord NodeRecordPublisher::Build() {
  NodeRecord record;
  record.node_id = options_.node_id;
  record.software_version = options_.software_version;
  if (options_.labels) record.labels = options_.labels();
  for (const char* prefix : {"model/", "dataset/"}) {
    std::string after;
    for (;;) {
      Result<std::vector<std::string>> keys = store_.ListKeys(prefix, after, 500);
      if (!keys.ok() || keys->empty()) break;
      for (const std::string& text : *keys) {
        Result<ObjectKey> key = ObjectKey::Parse(text);
        Result<std::vector<VersionInfo>> heads = key.ok() ? store_.Heads(*key) : key.status();
        if (!heads.ok()) continue;
        std::vector<std::string> ids;
        for (const VersionInfo& head : *heads)
          if (!head.record.tombstone) ids.push_back(head.id);
        if (ids.empty()) continue;
        if (record.holdings.size() < kMaxRecordKeys) record.holdings[text] = std::move(ids);
        else ++record.keys_not_listed;
      }
      if (keys->size() < 500) break;
      after = keys->back();
    }
  }
  if (options_.deployments) record.deployments = options_.deployments();
  if (options_.store_bytes) record.store_bytes = options_.store_bytes();
  if (options_.disk_free_bytes) record.disk_free_bytes = options_.disk_free_bytes();
  record.updated_ms = WallClockMs();
  const nlohmann::json content = {record.holdings, record.keys_not_listed, record.deployments};
  MutexLock lock(mu_);
  if (content != last_content_) {
    last_content_ = content;
    last_change_ms_ = record.updated_ms;
  }
  record.last_change_ms = last_change_ms_;
  return record;
}

void NodeRecordPublisher::Publish() {
  const NodeRecord record = Build();
  Result<ObjectKey> key = ObjectKey::Parse(kNodeRecordPrefix + options_.node_id);
  Result<VersionInfo> written = key.ok() ? catalog_.SetMetaFields(*key, record.ToFields()) : key.status();
  if (!written.ok()) spdlog::warn("fleet: writing this node's record: {}", written.status().ToString());
}

}  // namespace edgesync
