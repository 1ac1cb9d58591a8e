#include "checkout/checkout.h"

#include <set>

#include <spdlog/spdlog.h>

#include "store/destination_dir.h"

namespace edgesync {
namespace {

std::string VersionsName(const std::filesystem::path& target) {
  return target.filename().string() + ".versions";
}

// Points the link `name` in `parent` at <name>.versions/<version_id>: a new link under a
// temporary name renamed over it, then the parent fsynced.
Status SwitchLink(const DestinationDir& parent, const std::string& name,
                  const std::string& version_id) {
  Result<std::string> temp = parent.CreateTempLink(name + ".versions/" + version_id);
  if (!temp.ok()) return temp.status();
  Status renamed = parent.Rename(*temp, name, /*replace=*/true);
  if (!renamed.ok()) {
    (void)parent.Remove(*temp);
    return renamed;
  }
  return parent.Sync();
}

// The old version directories in `versions` (all but `current`), after removing leftovers of
// interrupted checkouts. Entries that are not directories are not versions and are left alone.
Result<std::set<std::string>> OldVersionDirs(const DestinationDir& versions,
                                             const std::string& current) {
  Result<std::vector<std::string>> names = versions.List();
  if (!names.ok()) return names.status();
  std::set<std::string> old;
  for (const std::string& name : *names) {
    if (IsTemporaryName(name)) {
      Status removed = versions.RemoveTree(name);
      if (!removed.ok()) spdlog::warn("checkout leftover: {}", removed.ToString());
      continue;
    }
    Result<DestinationDir::EntryType> type = versions.TypeOf(name);
    if (name != current && type.ok() && *type == DestinationDir::EntryType::kDirectory) {
      old.insert(name);
    }
  }
  return old;
}

}  // namespace

std::string CurrentCheckoutVersion(const std::filesystem::path& target) {
  std::error_code ec;
  if (!std::filesystem::is_symlink(std::filesystem::symlink_status(target, ec))) return "";
  std::filesystem::path link = std::filesystem::read_symlink(target, ec);
  if (ec || link.parent_path() != VersionsName(target)) return "";
  return link.filename().string();
}

CheckoutSwitcher::CheckoutSwitcher(Store& store, CheckoutPins& pins, const PartLocator& locator,
                                   CheckoutRetentionPolicy retention,
                                   std::function<Clock::time_point()> now)
    : store_(store), pins_(pins), locator_(locator), retention_(retention), now_(std::move(now)) {}

std::shared_ptr<CheckoutSwitcher::Target> CheckoutSwitcher::TargetState(
    const std::filesystem::path& target) {
  MutexLock lock(targets_mu_);
  auto& state = targets_[target.string()];
  if (!state) state = std::make_shared<Target>(retention_);
  return state;
}

Result<CheckoutResult> CheckoutSwitcher::Checkout(const ObjectKey& key,
                                                  const std::filesystem::path& target,
                                                  const std::string& version_id,
                                                  const TransferControl& control) {
  if (!target.is_absolute() || target.filename().empty()) {
    return Status::InvalidArgument("checkout target must be an absolute path to a directory name");
  }
  Result<VersionInfo> version =
      version_id.empty() ? store_.Latest(key) : store_.GetVersion(key, version_id);
  if (!version.ok()) return version.status().WithContext(key.str());
  if (version->record.tombstone) {
    return Status::NotFound("version " + version->id + " of " + key.str() + " is a deletion");
  }
  Result<Manifest> manifest = store_.ReadManifest(version->record.manifest_id);
  if (!manifest.ok()) return manifest.status();

  std::shared_ptr<Target> state = TargetState(target);
  Target& locked = *state;
  MutexLock target_lock(locked.mu);
  return SwitchLocked(locked, *version, *manifest, target, control);
}

Result<CheckoutResult> CheckoutSwitcher::SwitchLocked(Target& state, const VersionInfo& version,
                                                      const Manifest& manifest,
                                                      const std::filesystem::path& target,
                                                      const TransferControl& control) {
  Result<DestinationDir> parent = DestinationDir::Open(target.parent_path());
  if (!parent.ok()) return parent.status();
  const std::string name = target.filename().string();
  Result<DestinationDir::EntryType> link_type = parent->TypeOf(name);
  if (!link_type.ok()) return link_type.status();
  if (*link_type != DestinationDir::EntryType::kMissing &&
      *link_type != DestinationDir::EntryType::kSymlink) {
    return Status::FailedPrecondition(target.string() +
                                      " exists and is not a checkout symlink; remove it or "
                                      "choose another path");
  }
  Result<DestinationDir> versions = parent->OpenSubdir(VersionsName(target), /*create=*/true);
  if (!versions.ok()) return versions.status();
  Result<DestinationDir::EntryType> version_type = versions->TypeOf(version.id);
  if (!version_type.ok()) return version_type.status();
  const bool on_disk = *version_type == DestinationDir::EntryType::kDirectory;
  if (!on_disk && *version_type != DestinationDir::EntryType::kMissing) {
    return Status::FailedPrecondition("'" + (versions->path() / version.id).string() +
                                      "' is not a directory; edgesync does not write through "
                                      "links");
  }

  CheckoutResult result;
  result.key = version.key;
  result.version = version.id;
  result.target = target;
  result.version_dir = versions->path() / version.id;
  FileSelection selection = manifest.Select("");
  result.files = selection.files;
  result.bytes = selection.bytes;

  const std::string previous = CurrentCheckoutVersion(target);
  if (previous == version.id && on_disk) {
    EDGESYNC_RETURN_IF_ERROR(pins_.Replace(target, version.record.manifest_id));
    return result;
  }

  Result<std::set<std::string>> old = OldVersionDirs(*versions, previous);
  if (!old.ok()) return old.status();
  const Clock::time_point now = now_();
  state.retention.Observe(*old, now);
  for (const std::string& expired : state.retention.Expired(now)) {
    if (expired == version.id) continue;  // about to be current again: reuse it
    Status removed = versions->RemoveTree(expired);
    if (!removed.ok()) {
      spdlog::warn("cannot remove old checkout: {}", removed.ToString());
      continue;
    }
    state.retention.Forget(expired);
  }
  if (!on_disk) {
    EDGESYNC_RETURN_IF_ERROR(
        state.retention.CheckRoomForNew(previous, now).WithContext("checkout " + target.string()));
    uint64_t written_bytes = 0;
    if (control.progress) control.progress(0, selection.bytes);
    GetOptions options;
    options.progress = [&](uint64_t bytes) {
      written_bytes += bytes;
      if (control.progress) control.progress(written_bytes, selection.bytes);
    };
    options.cancelled = control.cancelled;
    options.fsync = true;
    Status written = store_.Materialize(version, result.version_dir, options);
    if (!written.ok()) return locator_.Explain(version, "", written);
  }
  EDGESYNC_RETURN_IF_ERROR(SwitchLink(*parent, name, version.id));
  state.retention.Switched(previous, version.id, now_());
  result.switched = true;
  Status pinned = pins_.Replace(target, version.record.manifest_id);
  if (!pinned.ok()) spdlog::warn("checkout {}: {}", target.string(), pinned.ToString());
  spdlog::info("checked out {} version {} at {}", version.key, version.id, target.string());
  return result;
}

}  // namespace edgesync
