#include "control/store_commands.h"

#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/time_text.h"
#include "control/command_params.h"
#include "control/garbage_collection.h"
#include "control/transfer_progress.h"
#include "replication/write_acl.h"

namespace edgesync {
namespace {

using nlohmann::json;

std::string IsoTime(HlcStamp stamp) {
  std::time_t seconds = static_cast<std::time_t>(HlcMillis(stamp) / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

json FilesJson(const Manifest& manifest) {
  json files = json::array();
  for (const FileEntry& file : manifest.files) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", file.mode & 07777);
    files.push_back({{"path", file.path}, {"size", file.size}, {"mode", mode},
                     {"sha256", file.sha256}});
  }
  return files;
}

// Reads the optional --spec file (a JSON object); "{}" without one.
Result<std::string> SpecParam(const json& params) {
  json spec = json::object();
  std::string spec_path = OptionalString(params, "spec");
  if (!spec_path.empty()) {
    std::ifstream in(spec_path);
    if (!in) return Status::InvalidArgument("cannot read spec file " + spec_path);
    std::stringstream text;
    text << in.rdbuf();
    spec = json::parse(text.str(), nullptr, false);
    if (!spec.is_object()) {
      return Status::InvalidArgument("spec file " + spec_path + " is not a JSON object");
    }
  }
  return spec.dump();
}

Result<json> Put(Catalog& catalog, const json& params, CommandContext& context) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  // A URL goes to the catalog as it is; anything else must be an absolute local path.
  std::string source = OptionalString(params, "path");
  if (!IsRemoteUrl(source)) {
    Result<std::filesystem::path> local = RequireAbsolutePath(params, "path");
    if (!local.ok()) return local.status();
    source = local->string();
  }
  Result<std::string> spec = SpecParam(params);
  if (!spec.ok()) return spec.status();
  PutRequest request{*spec, !OptionalString(params, "spec").empty(),
                     OptionalString(params, "format"), OptionalBool(params, "strict"),
                     OptionalBool(params, "allow_insecure_http")};

  auto started = std::chrono::steady_clock::now();
  TransferProgress progress(context, "put");
  Result<VersionInfo> version =
      catalog.Put(*key, source, request, ReportingControl(progress, context));
  if (!version.ok()) return version.status().WithContext(key->str());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  json result = VersionJson(*version);
  result["bytes"] = progress.total();
  result["seconds"] = seconds;
  return result;
}

Result<json> Get(Store& store, const PartLocator& locator, const json& params,
                 CommandContext& context) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  Result<std::filesystem::path> dest = RequireAbsolutePath(params, "dest");
  if (!dest.ok()) return dest.status();
  std::string version_id = OptionalString(params, "version");
  std::string part = OptionalString(params, "part");
  if (!part.empty() && part != "edge" && part != "cloud") {
    return Status::InvalidArgument("part must be \"edge\" or \"cloud\"");
  }
  Result<VersionInfo> version =
      version_id.empty() ? store.Latest(*key) : store.GetVersion(*key, version_id);
  if (!version.ok()) return version.status().WithContext(key->str());
  if (version->record.tombstone) {
    return Status::NotFound("version " + version->id + " of " + key->str() + " is a deletion");
  }
  Result<Manifest> manifest = store.ReadManifest(version->record.manifest_id);
  if (!manifest.ok()) return manifest.status();
  const std::string prefix = part.empty() ? "" : part + "/";
  FileSelection selection = manifest->Select(prefix);
  if (!part.empty() && selection.files == 0) {
    return Status::NotFound(key->str() + " version " + version->id + " has no " + part + " part");
  }
  auto started = std::chrono::steady_clock::now();
  TransferProgress progress(context, "get");
  progress.Report(0, selection.bytes);
  GetOptions options = ReportingGetOptions(progress, context);
  options.path_prefix = prefix;
  options.strip_prefix = !part.empty();
  Status written = store.Materialize(*version, *dest, options);
  if (!written.ok()) return locator.Explain(*version, prefix, written);
  json result = VersionJson(*version);
  result["dest"] = dest->string();
  result["files"] = selection.files;
  result["bytes"] = selection.bytes;
  result["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

// One page of `ls`: at most `limit` keys after the `after` cursor, so that neither the answer
// line (the control server's output bound) nor the per-key head and manifest reads grow with
// the store. "next" names the cursor of the following page when keys remain.
constexpr uint64_t kDefaultListPage = 1000;
constexpr uint64_t kMaxListPage = 5000;

Result<json> List(Store& store, const json& params) {
  uint64_t limit = kDefaultListPage;
  if (auto it = params.find("limit"); it != params.end() && !it->is_null()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() == 0 ||
        it->get<uint64_t>() > kMaxListPage) {
      return Status::InvalidArgument("\"limit\" must be an integer from 1 to " +
                                     std::to_string(kMaxListPage));
    }
    limit = it->get<uint64_t>();
  }
  // One more key than the page shows whether another page follows.
  const std::string prefix = OptionalString(params, "prefix");
  Result<std::vector<std::string>> keys = store.ListKeys(prefix, OptionalString(params, "after"), limit + 1);
  if (!keys.ok()) return keys.status();
  // Documents each node writes about itself (its fleet record, its deployments' states) are
  // listed when asked for: "all", or a prefix inside their namespace (`ls meta/nodes/`).
  const bool own_documents = OptionalBool(params, "all") || !replication::NodeOwnerOf(prefix + "x").empty() ||
                             !replication::NodeOwnerOf(prefix + "/x").empty();
  json objects = json::array();
  auto it = keys->begin();
  for (; it != keys->end() && objects.size() < limit; ++it) {
    Result<ObjectKey> key = ObjectKey::Parse(*it);
    if (!key.ok()) continue;
    if (!own_documents && !replication::NodeOwnerOf(*it).empty()) continue;
    Result<std::vector<VersionInfo>> heads = store.Heads(*key);
    Result<VersionInfo> latest = store.Latest(*key);
    if (!latest.ok() || !heads.ok()) continue;  // deleted between listing and reading
    json entry = VersionJson(*latest);
    entry["heads"] = heads->size();
    Result<Manifest> manifest = store.ReadManifest(latest->record.manifest_id);
    if (manifest.ok()) {
      entry["files"] = manifest->files.size();
      entry["bytes"] = manifest->TotalBytes();
    }
    objects.push_back(std::move(entry));
  }
  json result = {{"objects", std::move(objects)}};
  if (it != keys->end()) result["next"] = *std::prev(it);
  return result;
}

Result<json> Show(Store& store, Catalog& catalog, const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  Result<VersionInfo> latest = store.Latest(*key);
  if (!latest.ok()) return latest.status().WithContext(key->str());
  Result<std::vector<VersionInfo>> heads = store.Heads(*key);
  if (!heads.ok()) return heads.status();
  Result<Manifest> manifest = store.ReadManifest(latest->record.manifest_id);
  if (!manifest.ok()) return manifest.status();
  json result = VersionJson(*latest);
  result["heads"] = json::array();
  for (const VersionInfo& head : *heads) result["heads"].push_back(VersionJson(head));
  result["spec"] = json::parse(manifest->spec_json, nullptr, false);
  result["files"] = FilesJson(*manifest);
  result["bytes"] = manifest->TotalBytes();
  Result<json> summary = catalog.Show(*key);
  if (summary.ok()) result["catalog"] = *summary;
  return result;
}

Result<json> Remove(Store& store, const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  Result<VersionInfo> latest = store.Latest(*key);
  if (!latest.ok()) return latest.status().WithContext(key->str());
  Result<VersionInfo> version = store.Delete(*key);
  if (!version.ok()) return version.status().WithContext(key->str());
  return VersionJson(*version);
}

// What retention decides for one version, and which versions it drops next: the oldest one
// kept only by keep_versions goes after that many newer versions, the first to age out of
// keep_for at its time.
json RetentionJson(const RetentionVerdict& v) {
  json r = {{"keep", v.keep}, {"why", v.why}, {"protected", v.is_protected}};
  if (v.keep && !v.is_protected) {
    r["drops_after_versions"] = v.drops_after_versions;
    if (v.drops_at_ms) r["drops_at"] = FormatTimeMs(v.drops_at_ms);
  }
  return r;
}

json NextDrops(const std::vector<RetentionVerdict>& plan) {
  const RetentionVerdict *by_count = nullptr, *by_age = nullptr;
  for (const RetentionVerdict& v : plan) {
    if (!v.keep || v.is_protected) continue;
    if (!by_count || v.drops_after_versions < by_count->drops_after_versions) by_count = &v;
    if (v.drops_at_ms && (!by_age || v.drops_at_ms < by_age->drops_at_ms)) by_age = &v;
  }
  json next = json::object();
  if (by_count) next["by_count"] = {{"version", by_count->version_id}, {"after_versions", by_count->drops_after_versions}};
  if (by_age) next["by_age"] = {{"version", by_age->version_id}, {"at", FormatTimeMs(by_age->drops_at_ms)}};
  return next;
}

Result<json> History(Store& store, Catalog& catalog, const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  Result<std::vector<VersionInfo>> versions = store.History(*key);
  if (!versions.ok()) return versions.status().WithContext(key->str());
  std::map<std::string, std::string> summaries;  // version id -> what changed
  if (Result<std::vector<HistoryEntry>> entries = catalog.History(*key); entries.ok()) {
    for (const HistoryEntry& entry : *entries) summaries[entry.version_id] = entry.summary;
  }
  std::map<std::string, RetentionVerdict> verdicts;  // version id -> retention's decision
  Result<std::vector<RetentionVerdict>> plan = store.RetentionPlan(*key);
  if (plan.ok())
    for (const RetentionVerdict& v : *plan) verdicts[v.version_id] = v;
  std::set<std::string> evicted;  // by the disk quota: listed, fetched again when read
  if (auto marks = store.EvictedVersions(); marks.ok())
    if (auto it = marks->find(key->str()); it != marks->end()) evicted = it->second;
  json list = json::array();
  for (const VersionInfo& version : *versions) {
    json entry = VersionJson(version);
    if (auto it = summaries.find(version.id); it != summaries.end()) entry["summary"] = it->second;
    if (auto it = verdicts.find(version.id); it != verdicts.end()) entry["retention"] = RetentionJson(it->second);
    if (evicted.count(version.id)) entry["evicted"] = true;
    if (!version.record.tombstone) {
      Result<Manifest> manifest = store.ReadManifest(version.record.manifest_id);
      if (manifest.ok()) {
        entry["files"] = manifest->files.size();
        entry["bytes"] = manifest->TotalBytes();
      }
    }
    list.push_back(std::move(entry));
  }
  json result = {{"key", key->str()}, {"versions", list}};
  if (plan.ok()) result["next_drops"] = NextDrops(*plan);
  return result;
}

Result<json> Rollback(Store& store, const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  Result<std::string> version_id = RequireString(params, "version");
  if (!version_id.ok()) return version_id.status();
  Result<VersionInfo> version = store.Rollback(*key, *version_id);
  if (!version.ok()) return version.status().WithContext(key->str());
  json result = VersionJson(*version);
  result["from"] = *version_id;
  return result;
}

}  // namespace

json VersionJson(const VersionInfo& version) {
  return {{"key", version.key},
          {"version", version.id},
          {"time", IsoTime(version.record.hlc)},
          {"hlc", version.record.hlc},
          {"author", version.record.author},
          {"vector", version.record.vector.ToString()},
          {"tombstone", version.record.tombstone}};
}

void RegisterStoreCommands(CommandDispatcher& dispatcher, Store& store, Catalog& catalog,
                           const PartLocator& locator, uint64_t max_offline_ms) {
  dispatcher.Register("gc", CommandLane::kBulk,
                      [&store, max_offline_ms](const json&, CommandContext&) -> Result<json> {
                        auto result = CollectGarbageNow(store, max_offline_ms);
                        if (!result.ok()) return result.status();
                        return CollectionJson(*result);
                      });
  dispatcher.Register("put", CommandLane::kBulk,
                      [&catalog](const json& p, CommandContext& c) {
                        return Put(catalog, p, c);
                      });
  dispatcher.Register("get", CommandLane::kBulk,
                      [&store, &locator](const json& p, CommandContext& c) {
                        return Get(store, locator, p, c);
                      });
  dispatcher.Register("ls", CommandLane::kQuick,
                      [&store](const json& p, CommandContext&) { return List(store, p); });
  dispatcher.Register("show", CommandLane::kQuick,
                      [&store, &catalog](const json& p, CommandContext&) {
                        return Show(store, catalog, p);
                      });
  dispatcher.Register("rm", CommandLane::kQuick,
                      [&store](const json& p, CommandContext&) { return Remove(store, p); });
  dispatcher.Register("history", CommandLane::kQuick,
                      [&store, &catalog](const json& p, CommandContext&) {
                        return History(store, catalog, p);
                      });
  dispatcher.Register("rollback", CommandLane::kBulk,
                      [&store](const json& p, CommandContext&) { return Rollback(store, p); });
}

}  // namespace edgesync
