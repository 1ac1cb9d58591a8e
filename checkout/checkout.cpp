#include "checkout/checkout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <spdlog/spdlog.h>

#include "store/destination_dir.h"

namespace edgesync {
namespace {

std::string VersionsName(const std::filesystem::path& target) {
  return target.filename().string() + ".versions";
}

// Points the link `name` in `parent` at <name>.versions/<version_id>: a new link under a
// temporary name renamed over it, then (`durable`) the parent fsynced.
Status SwitchLink(const DestinationDir& parent, const std::string& name, const std::string& version_id,
                  bool durable) {
  Result<std::string> temp = parent.CreateTempLink(name + ".versions/" + version_id);
  if (!temp.ok()) return temp.status();
  Status renamed = parent.Rename(*temp, name, /*replace=*/true);
  if (!renamed.ok()) {
    (void)parent.Remove(*temp);
    return renamed;
  }
  return durable ? parent.Sync() : Status::Ok();
}

// The file in <dir>.versions naming the part its version directories hold; none: every file.
constexpr char kPartMarker[] = ".part";
// A part name and its newline; a larger file is not a marker checkout wrote.
constexpr size_t kMaxPartMarkerBytes = 64;

// Part names as model specs allow them (docs/catalog.md): 1-63 of a-z, 0-9, '-', '_'. The name
// becomes a path prefix and the marker's text, so nothing else is let through.
Status ValidatePart(const std::string& part) {
  bool valid = part.size() <= 63;
  for (unsigned char c : part) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
  }
  if (valid) return Status::Ok();
  return Status::InvalidArgument("'" + part + "' is not a part name (1-63 of a-z, 0-9, '-', '_')");
}

std::string PartText(const std::string& part) {
  return part.empty() ? "every file" : "part '" + part + "'";
}

// The part recorded in `versions` ("" when there is no marker). The marker is opened without
// following a link, and anything but a small regular file holding a part name is refused.
Result<std::string> RecordedPart(const DestinationDir& versions) {
  const std::string path = (versions.path() / kPartMarker).string();
  FileDescriptor fd(
      ::openat(versions.fd(), kPartMarker, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::string();
    if (errno == ELOOP) {
      return Status::FailedPrecondition("'" + path +
                                        "' is a symlink; edgesync does not read through links");
    }
    return Status::IoError("cannot open '" + path + "': " + std::strerror(errno));
  }
  const Status damaged = Status::FailedPrecondition(
      "'" + path + "' is not a part marker written by edgesync; remove it");
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size > static_cast<off_t>(kMaxPartMarkerBytes)) {
    return damaged;
  }
  char text[kMaxPartMarkerBytes];
  ssize_t n = ::read(fd.get(), text, sizeof text);
  if (n < 0) return Status::IoError("cannot read '" + path + "': " + std::strerror(errno));
  std::string part(text, static_cast<size_t>(n));
  if (!part.empty() && part.back() == '\n') part.pop_back();
  if (part.empty() || !ValidatePart(part).ok()) return damaged;
  return part;
}

// Records `part` in `versions` ("" removes the marker): a temporary file, fsynced, renamed over
// the marker, then the directory fsynced.
Status RecordPart(const DestinationDir& versions, const std::string& part) {
  if (part.empty()) {
    EDGESYNC_RETURN_IF_ERROR(versions.Remove(kPartMarker));
    return versions.Sync();
  }
  Result<DestinationDir::TempFile> temp = versions.CreateTempFile(0644);
  if (!temp.ok()) return temp.status();
  const std::string text = part + "\n";
  Status result = Status::Ok();
  if (::write(temp->fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(temp->fd.get()) != 0 || temp->fd.Reset() != 0) {
    result = Status::IoError("cannot write '" + (versions.path() / temp->name).string() +
                             "': " + std::strerror(errno));
  }
  if (result.ok()) result = versions.Rename(temp->name, kPartMarker, /*replace=*/true);
  if (!result.ok()) {
    (void)versions.Remove(temp->name);
    return result;
  }
  return versions.Sync();
}

// A target holds one part. When `versions` holds no version directory, it takes `part` (the
// marker is rewritten); otherwise `part` must be the part it holds.
Status ClaimPart(const DestinationDir& versions, const std::filesystem::path& target,
                 const std::string& part) {
  Result<std::string> held = RecordedPart(versions);
  if (!held.ok()) return held.status();
  if (*held == part) return Status::Ok();
  Result<std::vector<std::string>> names = versions.List();
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    if (IsTemporaryName(name)) continue;
    Result<DestinationDir::EntryType> type = versions.TypeOf(name);
    if (!type.ok()) return type.status();
    if (*type != DestinationDir::EntryType::kDirectory) continue;
    return Status::FailedPrecondition(
        "cannot check out " + PartText(part) + " at " + target.string() + ": it holds " +
        PartText(*held) + " of its versions (recorded in '" +
        (versions.path() / kPartMarker).string() + "'); a target holds one part: use another " +
        "target, or remove " + target.string() + " and " + versions.path().string() + " first");
  }
  return RecordPart(versions, part);
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
                                                  const std::string& part,
                                                  const TransferControl& control) {
  return Run(key, target, version_id, part, control, Mode::kSwitch, Durability::kNow);
}

Result<CheckoutResult> CheckoutSwitcher::Checkout(const ObjectKey& key, const std::filesystem::path& target,
                                                  const std::string& version_id, const std::string& part,
                                                  const TransferControl& control, Durability durability) {
  return Run(key, target, version_id, part, control, Mode::kSwitch, durability);
}

Result<CheckoutResult> CheckoutSwitcher::Stage(const ObjectKey& key, const std::filesystem::path& target,
                                               const std::string& version_id, const std::string& part,
                                               const TransferControl& control) {
  return Run(key, target, version_id, part, control, Mode::kStageOnly, Durability::kNow);
}

void CheckoutSwitcher::Settle(const std::filesystem::path& target) {
  Result<DestinationDir> parent = DestinationDir::Open(target.parent_path());
  if (!parent.ok()) return;
  Result<DestinationDir> versions = parent->OpenSubdir(VersionsName(target), /*create=*/false);
  if (!versions.ok()) return;
  std::shared_ptr<Target> state = TargetState(target);
  MutexLock target_lock(state->mu);
  if (state->unsettled) {
    if (Status synced = parent->Sync(); !synced.ok()) {
      spdlog::warn("checkout {}: {}; old versions stay until the next switch", target.string(), synced.ToString());
      return;
    }
    if (Status pinned = pins_.Replace(target, *state->unsettled); !pinned.ok())
      spdlog::warn("checkout {}: {}", target.string(), pinned.ToString());
    state->unsettled.reset();
  }
  RemoveExpired(*state, *versions, CurrentCheckoutVersion(target), now_());
}

Result<CheckoutResult> CheckoutSwitcher::Run(const ObjectKey& key, const std::filesystem::path& target,
                                             const std::string& version_id, const std::string& part,
                                             const TransferControl& control, Mode mode,
                                             Durability durability) {
  if (!target.is_absolute() || target.filename().empty()) {
    return Status::InvalidArgument("checkout target must be an absolute path to a directory name");
  }
  if (!part.empty()) EDGESYNC_RETURN_IF_ERROR(ValidatePart(part));
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
  return SwitchLocked(locked, *version, *manifest, target, part, control, mode, durability);
}

void CheckoutSwitcher::RemoveExpired(Target& state, const DestinationDir& versions, const std::string& keep,
                                     Clock::time_point now) {
  for (const std::string& expired : state.retention.Expired(now)) {
    if (expired == keep) continue;  // current (again): reuse it
    Status removed = versions.RemoveTree(expired);
    if (!removed.ok()) {
      spdlog::warn("cannot remove old checkout: {}", removed.ToString());
      continue;
    }
    state.retention.Forget(expired);
  }
}

Result<CheckoutResult> CheckoutSwitcher::SwitchLocked(Target& state, const VersionInfo& version,
                                                      const Manifest& manifest,
                                                      const std::filesystem::path& target,
                                                      const std::string& part,
                                                      const TransferControl& control, Mode mode,
                                             Durability durability) {
  // Only the files under `<part>/`, written without the prefix (as get --part).
  const std::string prefix = part.empty() ? "" : part + "/";
  FileSelection selection = manifest.Select(prefix);
  if (!part.empty() && selection.files == 0) {
    return Status::NotFound(version.key + " version " + version.id + " has no part '" + part +
                            "' (no files under '" + prefix + "')");
  }
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
  EDGESYNC_RETURN_IF_ERROR(ClaimPart(*versions, target, part));
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
  result.part = part;
  result.files = selection.files;
  result.bytes = selection.bytes;

  const std::string previous = CurrentCheckoutVersion(target);
  if (mode == Mode::kStageOnly && (on_disk || previous == version.id)) {
    result.files = 0;  // nothing to write
    return result;
  }
  if (previous == version.id && on_disk) {
    EDGESYNC_RETURN_IF_ERROR(pins_.Replace(target, version.record.manifest_id));
    return result;
  }

  Result<std::set<std::string>> old = OldVersionDirs(*versions, previous);
  if (!old.ok()) return old.status();
  const Clock::time_point now = now_();
  state.retention.Observe(*old, now);
  // Expired versions make room before a version is written; a switch to a staged one leaves
  // them to Settle, off the switch's path.
  if (!on_disk) RemoveExpired(state, *versions, version.id, now);
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
    options.path_prefix = prefix;
    options.strip_prefix = !part.empty();
    Status written = store_.Materialize(version, result.version_dir, options);
    if (!written.ok()) return locator_.Explain(version, prefix, written);
  }
  if (mode == Mode::kStageOnly) {
    spdlog::info("staged {} version {} ({}) beside {}", version.key, version.id, PartText(part), target.string());
    return result;
  }
  EDGESYNC_RETURN_IF_ERROR(SwitchLink(*parent, name, version.id, durability == Durability::kNow));
  state.retention.Switched(previous, version.id, now_());
  result.switched = true;
  if (durability == Durability::kNow) {
    state.unsettled.reset();
    Status pinned = pins_.Replace(target, version.record.manifest_id);
    if (!pinned.ok()) spdlog::warn("checkout {}: {}", target.string(), pinned.ToString());
  } else {
    state.unsettled = version.record.manifest_id;
  }
  spdlog::info("checked out {} version {} ({}) at {}", version.key, version.id, PartText(part),
               target.string());
  return result;
}

}  // namespace edgesync
