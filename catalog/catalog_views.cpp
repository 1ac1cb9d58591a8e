// Catalog: read views (Show, List, History).
#include <cstdio>
#include <map>

#include "catalog/catalog.h"
#include "catalog/spec_diff.h"

namespace edgesync {

using json = nlohmann::json;

namespace {

std::string OctalMode(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

json ParseSpec(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : json::object();
}

json ModelSummary(const json& spec) {
  json metrics = spec.value("metrics", json::object());
  return {{"task", spec.value("task", "")},
          {"labels", spec.value("labels", json::array())},
          {"metrics", metrics}};
}

json DatasetSummary(const json& spec) {
  json stats = spec.value("stats", json::object());
  return {{"format", spec.value("format", "")},
          {"samples", stats.value("samples", uint64_t{0})},
          {"classes", stats.value("classes", json::object()).size()}};
}

json MetaSummary(const json& spec) {
  size_t live = 0;
  const json fields = spec.value("fields", json::object());
  for (const auto& [name, f] : fields.items())
    if (!f.value("deleted", false)) ++live;
  return {{"fields", live}};
}

json Summary(ObjectKind kind, const json& spec) {
  switch (kind) {
    case ObjectKind::kModel: return ModelSummary(spec);
    case ObjectKind::kDataset: return DatasetSummary(spec);
    case ObjectKind::kMeta: return MetaSummary(spec);
  }
  return json::object();
}

// Per part of a joint model: how many files and bytes live under `<part>/`, and its placement.
json PartsView(const json& spec, const Manifest& manifest) {
  json parts = json::object();
  const json declared = spec.value("parts", json::object());
  for (const auto& [name, p] : declared.items()) {
    uint64_t files = 0, bytes = 0;
    for (const auto& f : manifest.files)
      if (f.path.starts_with(name + "/")) ++files, bytes += f.size;
    parts[name] = {{"files", files}, {"bytes", bytes}, {"placement", p.value("placement", json::object())}};
  }
  return parts;
}

}  // namespace

Result<json> Catalog::Show(const ObjectKey& key) {
  auto heads = store_.Heads(key);
  if (!heads.ok()) return heads.status();
  auto latest = store_.Latest(key);
  if (!latest.ok()) return latest.status();
  auto manifest = store_.ReadManifest(latest->record.manifest_id);
  if (!manifest.ok()) return manifest.status().WithContext(key.str());
  json spec = ParseSpec(manifest->spec_json);
  const uint64_t updated_ms = HlcMillis(latest->record.hlc);
  json files = json::array();
  for (const auto& f : manifest->files)
    files.push_back({{"path", f.path}, {"size", f.size}, {"mode", OctalMode(f.mode)}, {"sha256", f.sha256}});
  json out = {{"key", key.str()},
              {"kind", KindName(key.kind())},
              {"version", latest->id},
              {"vector", latest->record.vector.ToString()},
              {"hlc", latest->record.hlc},
              {"updated", Rfc3339FromMillis(updated_ms)},
              {"author", latest->record.author},
              {"heads", heads->size()},
              {"spec", spec},
              {"files", std::move(files)},
              {"bytes", manifest->TotalBytes()},
              {"summary", Summary(key.kind(), spec)}};
  if (key.kind() == ObjectKind::kModel && spec.contains("parts")) out["parts"] = PartsView(spec, *manifest);
  if (key.kind() == ObjectKind::kDataset) {
    auto ds = DatasetSpec::FromJson(spec);
    if (ds.ok()) {
      out["format"] = ds->stats.format;
      out["stats"] = ds->ToJson()["stats"];
      out["sedna"] = ds->SednaStatus(updated_ms);
    }
  }
  if (key.kind() == ObjectKind::kMeta) {
    auto doc = ReadMetaDocument(key);
    if (!doc.ok()) return doc.status();
    out["document"] = *doc;
  }
  return out;
}

Result<std::vector<CatalogRow>> Catalog::List(const std::string& prefix) {
  auto keys = store_.ListKeys(prefix);
  if (!keys.ok()) return keys.status();
  std::vector<CatalogRow> rows;
  for (const auto& key_text : *keys) {
    auto key = ObjectKey::Parse(key_text);
    if (!key.ok()) continue;
    auto latest = store_.Latest(*key);
    if (!latest.ok()) continue;  // deleted since the listing
    auto spec = store_.ReadSpec(latest->record.manifest_id);
    if (!spec.ok()) return spec.status().WithContext(key_text);
    rows.push_back({key_text, KindName(key->kind()), latest->id, Summary(key->kind(), ParseSpec(*spec))});
  }
  return rows;
}

Result<std::vector<HistoryEntry>> Catalog::History(const ObjectKey& key) {
  auto versions = store_.History(key);
  if (!versions.ok()) return versions.status();
  std::map<std::string, Manifest> manifests;  // by version id
  for (const auto& v : *versions) {
    if (v.record.tombstone) continue;
    auto m = store_.ReadManifest(v.record.manifest_id);
    if (!m.ok()) return m.status().WithContext(key.str() + " version " + v.id);
    manifests.emplace(v.id, std::move(m).value());
  }
  std::vector<HistoryEntry> out;
  for (size_t i = 0; i < versions->size(); ++i) {
    const auto& v = (*versions)[i];
    HistoryEntry e{v.id, v.record.vector.ToString(), v.record.hlc, v.record.author, v.record.tombstone, ""};
    if (v.record.tombstone) {
      e.summary = "deleted";
    } else {
      const Manifest* before = nullptr;
      if (i + 1 < versions->size()) {
        auto it = manifests.find((*versions)[i + 1].id);
        if (it != manifests.end()) before = &it->second;
      }
      e.summary = SummarizeChange(before, manifests.at(v.id));
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace edgesync
