#include "control/rekey_command.h"

#include <spdlog/spdlog.h>

#include "control/command_params.h"

namespace edgesync {

using json = nlohmann::json;

void RegisterRekeyCommand(CommandDispatcher& dispatcher, Store& store) {
  dispatcher.Register("store.rekey", CommandLane::kQuick, [&store](const json& p, CommandContext&) -> Result<json> {
    Result<std::string> path = RequireString(p, "key_file");
    if (!path.ok()) return path.status();
    Result<StoreKey> key = StoreKey::FromFile(*path);
    if (!key.ok()) return key.status();
    const std::string previous = store.EncryptionKeyId();
    EDGESYNC_RETURN_IF_ERROR(store.Rekey(*key));
    spdlog::info("store rekeyed from key id {} to key id {} ({}); set storage.encryption_key_file to it before "
                 "the next start", previous, key->id(), *path);
    return json{{"previous_key_id", previous}, {"key_id", key->id()}, {"key_file", *path}};
  });
}

}  // namespace edgesync
