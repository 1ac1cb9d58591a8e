// SednaManifest: reads Sedna `Model` and `Dataset` YAML documents (apiVersion
// sedna.io/v1alpha1) into plain values the catalog maps onto its objects.
//
// Exists so the catalog can accept what Sedna users already write (`edgesync apply -f`);
// the mapping is documented in docs/sedna.md. Only local URLs (a path or file://) are
// supported for now. Pure functions; thread-safe. yaml-cpp exceptions never escape.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/object_key.h"
#include "base/status.h"

namespace edgesync {

enum class SednaKind { kModel, kDataset };

struct SednaObject {
  SednaKind kind = SednaKind::kModel;
  std::string ns;    // metadata.namespace, "default" when absent
  std::string name;  // metadata.name
  std::string url;   // spec.url
  std::string format;                          // spec.format
  std::map<std::string, std::string> labels;   // metadata.labels
  // Dataset only.
  std::string node_name, credential_name;
  std::string label_column;                    // annotation edgesync.io/label-column (csv)
  // Model only.
  std::vector<std::string> device_soc_versions;
  std::map<std::string, double> metrics;       // status.metrics [{key, value}]
  std::string task;                            // annotation edgesync.io/task
  std::vector<std::string> model_labels;       // annotation edgesync.io/labels (a,b,c)

  // model/<ns>/<name> or dataset/<ns>/<name>.
  Result<ObjectKey> Key() const;
};

// Parses every document of a (multi-document) YAML text; empty documents are skipped.
// Errors name the document (1-based) and the field.
Result<std::vector<SednaObject>> ParseSednaManifests(std::string_view yaml_text);

// A local path for a Sedna url: "/abs", "rel/path" (against base_dir) or "file:///abs".
// Other schemes are refused with an error naming the scheme.
Result<std::filesystem::path> ResolveLocalUrl(std::string_view url,
                                              const std::filesystem::path& base_dir);

}  // namespace edgesync
