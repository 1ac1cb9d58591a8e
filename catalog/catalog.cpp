// Catalog: open, index upkeep and the write paths (models, datasets, metadata documents).
#include "catalog/catalog.h"

#include <map>
#include <set>

#include "store/source_files.h"
#include "catalog/latest_head.h"

namespace edgesync {

using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

Status RequireKind(const ObjectKey& key, ObjectKind kind) {
  if (key.kind() == kind) return Status::Ok();
  return Status::InvalidArgument("key '" + key.str() + "' is not a " + KindName(kind) + " key");
}

// Statistics of a dataset whose files are streams (objects under an s3:// prefix): the format
// readers read the annotation files they need through the streams, into memory and at most
// what they ask for; images and other payload are only listed.
Result<formats::DatasetStats> ListedDatasetStats(const std::vector<SourceFile>& files,
                                                 const formats::DatasetFormatOptions& options) {
  std::vector<formats::TreeFile> listing;
  std::map<std::string, const SourceFile*, std::less<>> by_path;
  for (const SourceFile& file : files) {
    listing.push_back({file.path, file.size});
    by_path[file.path] = &file;
  }
  auto read = [&by_path](const formats::TreeFile& file, uint64_t max_bytes) -> Result<std::string> {
    std::string data;
    const bool bounded = max_bytes < file.size;
    Status streamed = by_path.at(file.path)->stream([&](std::string_view bytes) -> Status {
      data.append(bytes.substr(0, max_bytes - data.size()));
      return data.size() < max_bytes ? Status::Ok() : Status::Aborted("read enough");
    });
    if (!streamed.ok() && !(bounded && data.size() >= max_bytes)) return streamed;
    return data;
  };
  formats::DatasetStats listed;
  formats::DatasetTree tree = formats::DatasetTree::FromListing(std::move(listing), read, listed);
  return formats::ComputeDatasetStats(tree, std::move(listed), options);
}

std::set<std::string> PathsOf(const std::vector<SourceFile>& files) {
  std::set<std::string> paths;
  for (const SourceFile& file : files) paths.insert(file.path);
  return paths;
}

}  // namespace

Result<std::unique_ptr<Catalog>> Catalog::Open(Store& store, CatalogOptions options) {
  std::unique_ptr<Catalog> catalog(new Catalog(store, std::move(options), std::make_shared<ModelIndex>()));
  EDGESYNC_RETURN_IF_ERROR(catalog->BuildIndex());
  if (!catalog->options_.history_path.empty()) {
    HistoryMirrorOptions mo;
    mo.path = catalog->options_.history_path;
    mo.batch_delay = catalog->options_.history_batch_delay;
    mo.log_warning = catalog->options_.log_warning;
    auto mirror = HistoryMirror::Open(store, std::move(mo));
    if (!mirror.ok()) return mirror.status();
    catalog->mirror_ = std::move(mirror).value();
    if (catalog->options_.history_background) catalog->mirror_->StartBackground();
  }
  return catalog;
}

Catalog::Catalog(Store& store, CatalogOptions options, std::shared_ptr<ModelIndex> index)
    : store_(store), options_(std::move(options)), index_(std::move(index)) {}

Status Catalog::BuildIndex() {
  // Listen first, then scan: entries from the listener carry a sequence number and win over
  // the scan's, so nothing committed meanwhile is lost.
  Store* store = &store_;
  auto index = index_;
  auto warn = options_.log_warning;
  store_.AddChangeListener([store, index, warn](const Change& change) {
    if (!change.key.starts_with("model/")) return;
    const VersionRecord* live = LatestLiveHead(change.heads);
    if (!live) return index->Erase(change.key, change.seq);
    auto spec_text = store->ReadSpec(live->manifest_id);
    auto spec = spec_text.ok() ? ModelSpec::Parse(*spec_text) : Result<ModelSpec>(spec_text.status());
    if (!spec.ok()) {
      if (warn) warn("model index: " + change.key + ": " + spec.status().ToString());
      return index->Erase(change.key, change.seq);
    }
    index->Upsert(change.key, live->Id(change.key), *spec, change.seq);
  });
  auto keys = store_.ListKeys("model/");
  if (!keys.ok()) return keys.status().WithContext("catalog index");
  for (const auto& key_text : *keys) {
    auto key = ObjectKey::Parse(key_text);
    if (!key.ok()) continue;
    auto latest = store_.Latest(*key);
    if (!latest.ok()) continue;  // deleted since the listing
    auto spec_text = store_.ReadSpec(latest->record.manifest_id);
    if (!spec_text.ok()) return spec_text.status().WithContext("catalog index: " + key_text);
    auto spec = ModelSpec::Parse(*spec_text);
    if (!spec.ok()) {
      if (options_.log_warning) options_.log_warning("model index: " + key_text + ": " + spec.status().ToString());
      continue;
    }
    index_->Upsert(key_text, latest->id, *spec, 0);
  }
  return Status::Ok();
}

Result<VersionInfo> Catalog::Put(const ObjectKey& key, const std::string& source,
                                 const PutRequest& request, const TransferControl& control) {
  const bool remote = IsRemoteUrl(source);
  if (remote && !options_.remote_sources) {
    return Status::Unsupported("'" + source + "': this node reads no URLs");
  }
  Result<std::vector<SourceFile>> files =
      remote ? options_.remote_sources->List(source, {request.allow_insecure_http})
             : ListSourceFiles(source);
  if (!files.ok()) return files.status();
  if (key.kind() == ObjectKind::kDataset) {
    if (!remote && !fs::is_directory(source)) {
      return Status::InvalidArgument("a dataset is a directory; " + source + " is not");
    }
    Result<DatasetDeclaration> declared = DatasetDeclaration::Parse(request.spec_json);
    if (!declared.ok()) return declared.status();
    if (!request.format.empty() && !declared->format.empty() && request.format != declared->format) {
      return Status::InvalidArgument("--format " + request.format + " contradicts the spec's format '" +
                                     declared->format + "'");
    }
    if (!request.format.empty()) declared->format = request.format;
    return PutDatasetFiles(key, remote ? fs::path() : fs::path(source), std::move(files).value(), *declared,
                           request.strict, control);
  }
  if (request.strict) return Status::InvalidArgument("--strict applies to datasets only");
  if (!request.format.empty()) return Status::InvalidArgument("--format applies to datasets only");
  if (key.kind() == ObjectKind::kModel && request.has_spec) {
    auto spec = ModelSpec::Parse(request.spec_json);
    if (!spec.ok()) return spec.status().WithContext("put " + key.str());
    return PutModelFiles(key, std::move(files).value(), *spec, control);
  }
  return store_.PutFiles(key, std::move(files).value(), request.spec_json, control);
}

Result<VersionInfo> Catalog::PutModel(const ObjectKey& key, const fs::path& source, const ModelSpec& spec) {
  EDGESYNC_RETURN_IF_ERROR(RequireKind(key, ObjectKind::kModel));
  auto files = ListSourceFiles(source);
  if (!files.ok()) return files.status().WithContext("put " + key.str());
  return PutModelFiles(key, std::move(files).value(), spec, {});
}

Result<VersionInfo> Catalog::PutModelFiles(const ObjectKey& key, std::vector<SourceFile> files,
                                           const ModelSpec& spec, const TransferControl& control) {
  EDGESYNC_RETURN_IF_ERROR(RequireKind(key, ObjectKind::kModel));
  // Round-trip through the parser so specs built in code are held to the same rules.
  std::string canonical;
  try {
    auto checked = ModelSpec::FromJson(spec.ToJson());
    if (!checked.ok()) return checked.status().WithContext("put " + key.str());
    EDGESYNC_RETURN_IF_ERROR(checked->ValidateFiles(PathsOf(files)).WithContext("put " + key.str()));
    canonical = checked->ToCanonicalJson();
  } catch (const json::exception& e) {
    return Status::InvalidArgument("put " + key.str() + ": model spec: " + e.what());
  }
  return store_.PutFiles(key, std::move(files), canonical, control);
}

Result<VersionInfo> Catalog::PutModel(const ObjectKey& key, const fs::path& source, std::string_view spec_json) {
  auto spec = ModelSpec::Parse(spec_json);
  if (!spec.ok()) return spec.status().WithContext("put " + key.str());
  return PutModel(key, source, *spec);
}

Status Catalog::GetModel(const ObjectKey& key, const fs::path& dest, const std::string& part) {
  EDGESYNC_RETURN_IF_ERROR(RequireKind(key, ObjectKind::kModel));
  auto latest = store_.Latest(key);
  if (!latest.ok()) return latest.status();
  if (part.empty()) return store_.Materialize(*latest, dest);
  auto spec_text = store_.ReadSpec(latest->record.manifest_id);
  if (!spec_text.ok()) return spec_text.status();
  auto spec = ModelSpec::Parse(*spec_text);
  if (!spec.ok()) return spec.status().WithContext(key.str());
  if (!spec->parts.count(part)) {
    std::string names;
    for (const auto& [name, p] : spec->parts) names += (names.empty() ? "" : ", ") + name;
    return Status::NotFound("model '" + key.str() + "' has no part '" + part + "' (parts: " +
                            (names.empty() ? "none" : names) + ")");
  }
  return store_.Materialize(*latest, dest, GetOptions{part + "/", true});
}

std::vector<std::shared_ptr<const SelectedModel>> Catalog::Select(const ModelQuery& query) const {
  return index_->Select(query);
}

Result<VersionInfo> Catalog::PutDataset(const ObjectKey& key, const fs::path& dir,
                                        const DatasetDeclaration& declared, bool strict) {
  EDGESYNC_RETURN_IF_ERROR(RequireKind(key, ObjectKind::kDataset));
  auto files = ListSourceFiles(dir);
  if (!files.ok()) return files.status().WithContext("put " + key.str());
  return PutDatasetFiles(key, dir, std::move(files).value(), declared, strict, {});
}

Result<VersionInfo> Catalog::PutDatasetFiles(const ObjectKey& key, const fs::path& dir,
                                             std::vector<SourceFile> files,
                                             const DatasetDeclaration& declared, bool strict,
                                             const TransferControl& control) {
  EDGESYNC_RETURN_IF_ERROR(RequireKind(key, ObjectKind::kDataset));
  if (!declared.splits.empty()) {
    EDGESYNC_RETURN_IF_ERROR(declared.ValidateSplitFiles(PathsOf(files)).WithContext("put " + key.str()));
  }
  // The format readers read the files' contents for statistics; the listing above is the walk.
  const formats::DatasetFormatOptions format{declared.format, declared.label_column, strict};
  auto stats = dir.empty() ? ListedDatasetStats(files, format) : formats::ComputeDatasetStats(dir, format);
  if (!stats.ok()) return stats.status().WithContext("put " + key.str());
  DatasetSpec spec{std::move(stats).value(), declared};
  spec.declared.format.clear();
  return store_.PutFiles(key, std::move(files), spec.ToCanonicalJson(), control);
}

Result<MetadataDocument> Catalog::MergedMetaHeads(const ObjectKey& key) {
  MetadataDocument doc;
  auto heads = store_.Heads(key);
  if (!heads.ok()) {
    if (heads.status().IsNotFound()) return doc;
    return heads.status();
  }
  for (const auto& head : *heads) {
    if (head.record.tombstone) continue;
    auto text = store_.ReadSpec(head.record.manifest_id);
    if (!text.ok()) return text.status();
    auto one = MetadataDocument::Parse(*text);
    if (!one.ok()) return one.status().WithContext(key.str());
    doc = MergeDocuments(doc, *one);
  }
  return doc;
}

Result<VersionInfo> Catalog::WriteMeta(
    const ObjectKey& key, const std::function<Status(MetadataDocument&, const FieldStamp&)>& edit) {
  EDGESYNC_RETURN_IF_ERROR(RequireKind(key, ObjectKind::kMeta));
  MutexLock lock(meta_mu_);
  auto doc = MergedMetaHeads(key);
  if (!doc.ok()) return doc.status();
  EDGESYNC_RETURN_IF_ERROR(edit(*doc, FieldStamp{store_.clock().Now(), store_.node_id()}));
  return store_.PutFiles(key, {}, doc->ToCanonicalJson());
}

Result<VersionInfo> Catalog::SetMetaFields(const ObjectKey& key, const json& fields) {
  if (!fields.is_object() || fields.empty())
    return Status::InvalidArgument("set " + key.str() + ": fields must be a non-empty JSON object");
  return WriteMeta(key, [&](MetadataDocument& doc, const FieldStamp& stamp) {
    for (const auto& [name, value] : fields.items())
      EDGESYNC_RETURN_IF_ERROR(MetadataDocument::ValidateFieldName(name).WithContext("set " + key.str()));
    for (const auto& [name, value] : fields.items()) doc.Set(name, value, stamp);
    return Status::Ok();
  });
}

Result<VersionInfo> Catalog::DeleteMetaFields(const ObjectKey& key, const std::vector<std::string>& names) {
  if (names.empty()) return Status::InvalidArgument("unset " + key.str() + ": no fields named");
  return WriteMeta(key, [&](MetadataDocument& doc, const FieldStamp& stamp) {
    for (const auto& name : names)
      EDGESYNC_RETURN_IF_ERROR(MetadataDocument::ValidateFieldName(name).WithContext("unset " + key.str()));
    for (const auto& name : names) doc.Delete(name, stamp);
    return Status::Ok();
  });
}

Result<json> Catalog::ReadMetaDocument(const ObjectKey& key) {
  EDGESYNC_RETURN_IF_ERROR(RequireKind(key, ObjectKind::kMeta));
  auto latest = store_.Latest(key);  // NotFound for missing or deleted documents
  if (!latest.ok()) return latest.status();
  auto doc = MergedMetaHeads(key);
  if (!doc.ok()) return doc.status();
  return doc->View();
}

Status Catalog::ForEachMetaDocument(const std::string& prefix,
                                    const std::function<void(const std::string& key, const json& view)>& visit) {
  constexpr size_t kPage = 1000;
  std::string after;
  for (;;) {
    Result<std::vector<std::string>> keys = store_.ListKeys(prefix, after, kPage);
    if (!keys.ok()) return keys.status();
    for (const std::string& text : *keys) {
      Result<ObjectKey> key = ObjectKey::Parse(text);
      if (!key.ok() || key->kind() != ObjectKind::kMeta) continue;
      Result<json> view = ReadMetaDocument(*key);
      if (view.ok()) visit(text, *view);
    }
    if (keys->size() < kPage) return Status::Ok();
    after = keys->back();
  }
}

Result<VersionInfo> Catalog::Delete(const ObjectKey& key) { return store_.Delete(key); }

Result<VersionInfo> Catalog::Rollback(const ObjectKey& key, const std::string& version_id) {
  return store_.Rollback(key, version_id);
}

Result<uint64_t> Catalog::SyncHistory() {
  if (!mirror_) return Status::FailedPrecondition("catalog has no history mirror configured");
  return mirror_->Sync();
}

}  // namespace edgesync
