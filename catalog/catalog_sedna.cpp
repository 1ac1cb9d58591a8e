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
  fs::path path;  // model source, or the dataset directory; empty for a remote model
  std::string dataset_format;
};

Result<PlannedPut> Plan(const SednaObject& o, const fs::path& base_dir, bool reads_urls) {
  auto key = o.Key();
  if (!key.ok()) return key.status();
  const std::string what = std::string(o.kind == SednaKind::kModel ? "Model" : "Dataset") + " " +
                           o.ns + "/" + o.name;
  if (IsRemoteUrl(o.url) && o.kind == SednaKind::kModel) {
    if (!reads_urls) return Status::Unsupported(what + ": url '" + o.url + "': this node reads no URLs");
    return PlannedPut{o, *key, {}, ""};
  }
  auto path = ResolveLocalUrl(o.url, base_dir);
  if (!path.ok()) return path.status().WithContext(what);
  std::error_code ec;
  auto st = fs::status(*path, ec);
  if (ec || !fs::exists(st))
    return Status::NotFound(what + ": url '" + o.url + "': '" + path->string() + "' does not exist");
  PlannedPut plan{o, *key, *path, ""};
  if (o.kind == SednaKind::kDataset) {
    auto format = DatasetFormat(o.format);
    if (!format.ok()) return format.status().WithContext(what);
    plan.dataset_format = *format;
    if (!o.label_column.empty() && *format != "csv")
      return Status::InvalidArgument(what + ": annotation 'edgesync.io/label-column' applies only to "
                                     "the csv format, not " + *format);
    // A Sedna dataset url often names an index file; its directory is the dataset.
    if (!fs::is_directory(st)) plan.path = path->parent_path();
  }
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
      if (p.path.empty()) {
        auto files = options_.remote_sources->List(p.object.url, {});
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
      version = PutDataset(p.key, p.path, declared);
    }
    if (!version.ok()) return version.status();
    applied.push_back({p.key.str(), version->id});
  }
  return applied;
}

}  // namespace edgesync
