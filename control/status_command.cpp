#include "control/status_command.h"

#include <unistd.h>

namespace edgesync {
namespace {

// The chunk tier's figures, or null for a node whose chunks are on local disk.
nlohmann::json TierJson(const std::optional<TierStats>& tier) {
  if (!tier) return nullptr;
  return {{"root", tier->root},
          {"packs", tier->packs},
          {"pack_bytes", tier->pack_bytes},
          {"retired_packs", tier->retired_packs},
          {"pack_uploads", tier->pack_uploads},
          {"range_reads", tier->range_reads},
          {"checkpoints", tier->checkpoints},
          {"last_checkpoint_ms", tier->last_checkpoint_ms},
          {"checkpoint_seq", tier->checkpoint_seq},
          {"cache_bytes", tier->cache_bytes},
          {"cache_hits", tier->cache_hits},
          {"cache_misses", tier->cache_misses}};
}

}  // namespace

void RegisterStatusCommand(CommandDispatcher& dispatcher, Store& store,
                           const NodeSettings& settings, NodeDescription description) {
  dispatcher.Register(
      "status", CommandLane::kQuick,
      [&store, &settings, &dispatcher, description](const nlohmann::json&,
                                                    CommandContext&) -> Result<nlohmann::json> {
        ReloadableSettings live = settings.Get();
        Result<StoreStats> stats = store.Stats();
        if (!stats.ok()) return stats.status();
        auto uptime = std::chrono::steady_clock::now() - description.started;
        nlohmann::json unserved = description.unserved ? description.unserved() : nlohmann::json::array();
        std::optional<int64_t> skew = description.clock_skew_ms ? description.clock_skew_ms() : std::nullopt;
        return nlohmann::json{
            {"node_name", description.node_name},
            {"node_id", store.node_id()},
            {"store_epoch", store.epoch()},
            {"store_actor", store.actor()},
            {"version", EDGESYNC_VERSION},
            {"pid", ::getpid()},
            {"uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
            {"labels", live.labels},
            {"subscriptions", live.subscriptions},
            {"log_level", live.log_level},
            {"data_dir", description.data_dir},
            {"control_socket", description.control_socket},
            {"peer_listen", description.peer_listen},
            {"http_status", description.http_status},
            {"methods", dispatcher.Methods()},
            {"unserved", std::move(unserved)},
            {"clock_skew_ms", skew ? nlohmann::json(*skew) : nlohmann::json(nullptr)},
            {"peers", description.peer_versions ? description.peer_versions() : nlohmann::json::array()},
            {"credentials", description.credentials ? description.credentials() : nlohmann::json(nullptr)},
            {"disk_quota", description.disk_quota ? description.disk_quota() : nlohmann::json(nullptr)},
            {"store",
             {{"keys", stats->keys},
              {"chunks", stats->chunks},
              {"chunk_bytes", stats->chunk_bytes},
              {"logical_bytes", stats->logical_bytes},
              {"last_seq", stats->last_seq},
              {"identity_clashes", stats->identity_clashes},
              {"reincarnations", stats->reincarnations},
              {"encryption_key_id", store.EncryptionKeyId()},  // empty: not encrypted at rest
              {"chunk_tier", TierJson(stats->tier)}}},
        };
      });
}

}  // namespace edgesync
