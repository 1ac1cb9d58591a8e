// Catalog: applying Sedna Model and Dataset manifests (mapping documented in docs/sedna.md).
#include <algorithm>

#include "catalog/catalog.h"
#include "catalog/sedna_manifest.h"

namespace edgesync {

namespace fs = std::filesystem;

namespace {

// Sedna's dataset format names -> ours; ours are accepted as they are.
Result<std::string> DatasetFormat(const std::string& sedna_format) {
  if (sedna_format == "txt") return std::string("txt-index");
  if (std::find(formats::kDatasetFormatNames.begin(), formats::kDatasetFormatNames.end(),
                sedna_format) != formats::kDatasetFormatNames.end())
    return sedna_format;
  return Status::InvalidArgument("dataset format '" + sedna_format +
                                 "' is not supported (txt, csv, txt-index, txt-boxes, voc-xml, "
                                 "coco-json, yolo-txt)");
}

struct PlannedPut {
  SednaObject object;
  ObjectKey key;
  fs::path path;           // model source, or the dataset directory; empty when remote
  std::string remote_url;  // what to list when the url is s3:// or http(s)://
  std::string dataset_format;
};

Result<PlannedPut> Plan(const SednaObject& o, const fs::path& base_dir, bool reads_urls) {
  auto key = o.Key();
  if (!key.ok()) return key.status();
  const std::string what = std::string(o.kind == SednaKind::kModel ? "Model" : "Dataset") + " " +
                           o.ns + "/" + o.name;
  std::string dataset_format;
  if (o.kind == SednaKind::kDataset) {
    auto format = DatasetFormat(o.format);
    if (!format.ok()) return format.status().WithContext(what);
    dataset_format = *format;
    if (!o.label_column.empty() && *format != "csv")
      return Status::InvalidArgument(what + ": annotation 'edgesync.io/label-column' applies only to "
                                     "the csv format, not " + *format);
  }
  if (IsRemoteUrl(o.url)) {
    if (!reads_urls) return Status::Unsupported(what + ": url '" + o.url + "': this node reads no URLs");
    std::string listed = o.url;
    // A dataset url often names its index file (train.txt): the dataset is what is beside it.
    const size_t slash = listed.rfind('/');
    if (o.kind == SednaKind::kDataset && slash != std::string::npos &&
        listed.find('.', slash) != std::string::npos) {
      listed.resize(slash + 1);
    }
    return PlannedPut{o, *key, {}, listed, dataset_format};
  }
  auto path = ResolveLocalUrl(o.url, base_dir);
  if (!path.ok()) return path.status().WithContext(what);
  std::error_code ec;
  auto st = fs::status(*path, ec);
  if (ec || !fs::exists(st))
    return Status::NotFound(what + ": url '" + o.url + "': '" + path->string() + "' does not exist");
  PlannedPut plan{o, *key, *path, "", dataset_format};
  // A Sedna dataset url often names an index file; its directory is the dataset.
  if (o.kind == SednaKind::kDataset && !fs::is_directory(st)) plan.path = path->parent_path();
  return plan;
}

}  // namespace

Result<std::vector<AppliedObject>> Catalog::ApplySedna(std::string_view yaml_text,
                                                       const fs::path& base_dir) {
  auto objects = ParseSednaManifests(yaml_text);
  if (!objects.ok()) return objects.status();
  std::vector<PlannedPut> plans;
  for (const auto& o : *objects) {
    auto plan = Plan(o, base_dir, options_.remote_sources != nullptr);
    if (!plan.ok()) return plan.status();
    plans.push_back(std::move(plan).value());
  }
  std::vector<AppliedObject> applied;
  for (const auto& p : plans) {
    Result<VersionInfo> version = Status::Aborted("not applied");
    if (p.object.kind == SednaKind::kModel) {
      ModelSpec spec;
      spec.format = p.object.format;
      spec.task = p.object.task;
      spec.labels = p.object.model_labels;
      spec.devices = p.object.device_soc_versions;
      spec.metadata = p.object.labels;
      for (const auto& [name, value] : p.object.metrics)
        spec.metrics[name] = Metric{value, DefaultMetricDirection(name)};
      if (!p.remote_url.empty()) {
        auto files = options_.remote_sources->List(p.remote_url, {});
        if (!files.ok()) return files.status().WithContext("Model " + p.object.ns + "/" + p.object.name);
        version = PutModelFiles(p.key, std::move(files).value(), spec, {});
      } else {
        version = PutModel(p.key, p.path, spec);
      }
    } else {
      DatasetDeclaration declared;
      declared.format = p.dataset_format;
      declared.label_column = p.object.label_column;
      declared.source = {p.object.url, p.object.node_name, p.object.credential_name};
      if (!p.remote_url.empty()) {
        auto files = options_.remote_sources->List(p.remote_url, {});
        if (!files.ok()) return files.status().WithContext("Dataset " + p.object.ns + "/" + p.object.name);
        version = PutDatasetFiles(p.key, {}, std::move(files).value(), declared, false, {});
      } else {
        version = PutDataset(p.key, p.path, declared);
      }
    }
    if (!version.ok()) return version.status();
    applied.push_back({p.key.str(), version->id});
  }
  return applied;
}

}  // namespace edgesync
