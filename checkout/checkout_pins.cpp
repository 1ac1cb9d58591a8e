#include "checkout/checkout_pins.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "checkout/json_file.h"

namespace edgesync {
namespace {

uint64_t LeaseMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(CheckoutPins::kLease).count();
}

}  // namespace

CheckoutPins::CheckoutPins(Store& store, std::filesystem::path registry_file)
    : store_(store), registry_file_(std::move(registry_file)) {}

void CheckoutPins::Restore() {
  Result<nlohmann::json> read = ReadJsonFile(registry_file_);
  if (read.status().IsNotFound()) return;
  if (!read.ok() || !read->is_object()) {
    spdlog::warn("ignoring unreadable checkout registry {}", registry_file_.string());
    return;
  }
  const nlohmann::json& registry = *read;
  MutexLock lock(mu_);
  for (const auto& [target, manifest_hex] : registry.items()) {
    std::optional<ChunkId> id =
        manifest_hex.is_string() ? ChunkId::FromHex(manifest_hex.get<std::string>()) : std::nullopt;
    if (!id) continue;
    Result<std::string> pin = store_.Pin(*id, LeaseMs());
    if (!pin.ok()) {
      spdlog::warn("cannot pin checkout {} again: {}", target, pin.status().ToString());
      continue;
    }
    pins_[target] = Entry{*id, *pin};
  }
}

Status CheckoutPins::Replace(const std::filesystem::path& target, const ChunkId& manifest_id) {
  Result<std::string> pin = store_.Pin(manifest_id, LeaseMs());
  if (!pin.ok()) return pin.status().WithContext("pin checked-out version");
  MutexLock lock(mu_);
  auto it = pins_.find(target.string());
  if (it != pins_.end()) {
    Status released = store_.Unpin(it->second.pin_id);
    if (!released.ok()) spdlog::warn("unpin {}: {}", target.string(), released.ToString());
  }
  pins_[target.string()] = Entry{manifest_id, *pin};
  return SaveLocked();
}

void CheckoutPins::RenewAll() {
  MutexLock lock(mu_);
  for (auto& [target, entry] : pins_) {
    Result<std::string> pin = store_.Pin(entry.manifest_id, LeaseMs());
    if (!pin.ok()) {
      spdlog::warn("renewing the pin of checkout {}: {}", target, pin.status().ToString());
      continue;
    }
    Status released = store_.Unpin(entry.pin_id);
    if (!released.ok()) spdlog::debug("unpin {}: {}", target, released.ToString());
    entry.pin_id = *pin;
  }
}

Status CheckoutPins::SaveLocked() {
  nlohmann::json registry = nlohmann::json::object();
  for (const auto& [target, entry] : pins_) registry[target] = entry.manifest_id.Hex();
  return ReplaceJsonFile(registry_file_, registry);
}

}  // namespace edgesync
