// Catalog: models, datasets and metadata documents on top of the Store, with selection,
// history summaries, Sedna manifests and an optional git mirror of the history.
//
// Exists so the daemon and CLI speak in domain terms (a model with metrics and parts, a
// dataset with statistics, a metadata document with stamped fields) while the Store stays
// kind-agnostic. Model selection is answered from an in-memory ModelIndex filled at Open and
// kept current by a store change listener (so replicated versions show up too).
// Safe for concurrent access. REQUIRES: the Store outlives the Catalog.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "catalog/remote_sources.h"
#include "catalog/dataset_spec.h"
#include "catalog/history_mirror.h"
#include "catalog/metadata_document.h"
#include "catalog/model_index.h"
#include "catalog/model_query.h"
#include "catalog/model_spec.h"
#include "catalog/formats/format_detect.h"
#include "store/store.h"

namespace edgesync {

struct CatalogOptions {
  // The git mirror (e.g. <data>/history.git); empty = no mirror.
  std::filesystem::path history_path;
  // Mirror from a background thread woken by changes; otherwise only SyncHistory() mirrors.
  bool history_background = true;
  std::chrono::milliseconds history_batch_delay{500};
  std::function<void(const std::string&)> log_warning;
  // Reads puts of s3:// and http(s):// sources; unset: such puts are refused. Not owned.
  RemoteSources* remote_sources = nullptr;
};

// One row of List: the key, its kind, its latest version and a kind summary
// (models: task, labels, metrics; datasets: format, samples, classes; meta: fields).
struct CatalogRow {
  std::string key;
  std::string kind;
  std::string version_id;
  nlohmann::json summary;
};

struct HistoryEntry {
  std::string version_id;
  std::string vector;  // "node:counter,..."
  HlcStamp hlc = 0;
  std::string author;
  bool deleted = false;
  std::string summary;  // what changed relative to the next older retained version
};

struct AppliedObject {
  std::string key;
  std::string version_id;
};

// What a put asks for besides the key and the source.
struct PutRequest {
  std::string spec_json = "{}";  // the spec as given, a JSON object
  bool has_spec = false;         // a spec was given (a model without one is stored as plain files)
  std::string format;            // datasets: the format, overriding or matching the spec's
  bool strict = false;           // datasets: any problem in the data refuses the put
  bool allow_insecure_http = false;  // a remote source may be http://
};

class Catalog {
 public:
  static Result<std::unique_ptr<Catalog>> Open(Store& store, CatalogOptions options = {});

  // --- the one put path: lists `source` (an absolute local path, or a URL read through
  // CatalogOptions::remote_sources) once and routes by the key's kind (a model with a spec is
  // checked against its files, a dataset gets statistics, anything else is stored as is).
  // `control` sees the bytes stored and may cancel; nothing is visible then.
  Result<VersionInfo> Put(const ObjectKey& key, const std::string& source,
                          const PutRequest& request, const TransferControl& control = {});

  // --- models. `source` is a directory (or one file); the spec's scripts, entrypoints and
  // parts must name files inside it.
  Result<VersionInfo> PutModel(const ObjectKey& key, const std::filesystem::path& source,
                               const ModelSpec& spec);
  Result<VersionInfo> PutModel(const ObjectKey& key, const std::filesystem::path& source,
                               std::string_view spec_json);
  // Writes the model (or only part `part`, its files at the top of `dest`) under `dest`.
  Status GetModel(const ObjectKey& key, const std::filesystem::path& dest,
                  const std::string& part = "");
  std::vector<std::shared_ptr<const SelectedModel>> Select(const ModelQuery& query) const;

  // --- datasets: statistics are computed on ingest (with the declared format and csv label
  // column) and stored in the spec with the declared fields. Every split must name a file of
  // `dir`. With `strict`, any problem in the data refuses the put.
  Result<VersionInfo> PutDataset(const ObjectKey& key, const std::filesystem::path& dir,
                                 const DatasetDeclaration& declared, bool strict = false);

  // --- metadata documents: `fields` is a JSON object of field -> value.
  Result<VersionInfo> SetMetaFields(const ObjectKey& key, const nlohmann::json& fields);
  Result<VersionInfo> DeleteMetaFields(const ObjectKey& key, const std::vector<std::string>& names);
  // The merged live view of a meta object's heads.
  Result<nlohmann::json> ReadMetaDocument(const ObjectKey& key);
  // Calls `visit(key, view)` for every live meta document whose key starts with `prefix`, in key
  // order, reading the keys a page at a time (deleted and unreadable ones are skipped).
  Status ForEachMetaDocument(const std::string& prefix,
                             const std::function<void(const std::string& key, const nlohmann::json& view)>& visit);

  // --- any kind
  Result<nlohmann::json> Show(const ObjectKey& key);
  Result<std::vector<CatalogRow>> List(const std::string& prefix);
  Result<VersionInfo> Delete(const ObjectKey& key);
  Result<std::vector<HistoryEntry>> History(const ObjectKey& key);
  Result<VersionInfo> Rollback(const ObjectKey& key, const std::string& version_id);

  // Applies Sedna Model/Dataset documents; relative paths resolve against `base_dir`.
  // Every document is checked before the first one is written.
  Result<std::vector<AppliedObject>> ApplySedna(std::string_view yaml_text,
                                                const std::filesystem::path& base_dir);

  // Brings the git mirror up to date now; FailedPrecondition without a mirror.
  Result<uint64_t> SyncHistory();

 private:
  Catalog(Store& store, CatalogOptions options, std::shared_ptr<ModelIndex> index);
  Status BuildIndex();
  Result<VersionInfo> PutModelFiles(const ObjectKey& key, std::vector<SourceFile> files,
                                    const ModelSpec& spec, const TransferControl& control);
  // `dir` empty: the files are streams, and statistics read them through those.
  Result<VersionInfo> PutDatasetFiles(const ObjectKey& key, const std::filesystem::path& dir,
                                      std::vector<SourceFile> files,
                                      const DatasetDeclaration& declared, bool strict,
                                      const TransferControl& control);
  Result<MetadataDocument> MergedMetaHeads(const ObjectKey& key);
  Result<VersionInfo> WriteMeta(const ObjectKey& key,
                                const std::function<Status(MetadataDocument&, const FieldStamp&)>& edit);

  Store& store_;
  const CatalogOptions options_;
  std::shared_ptr<ModelIndex> index_;  // shared with the store's change listener
  std::unique_ptr<HistoryMirror> mirror_;
  Mutex meta_mu_;  // serializes read-modify-write of metadata documents
};

}  // namespace edgesync
