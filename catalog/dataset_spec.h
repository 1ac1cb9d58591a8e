// DatasetSpec: the spec of a dataset version: its format, the statistics computed on ingest
// and what was declared when it was put (label column, split files, and where it came from:
// a Sedna Dataset's url, nodeName and credentialName).
//
// The stored JSON is {"kind":"dataset","format":F,"stats":{samples, classes, objects?, files,
// bytes, problems, problems_truncated},"label_column":C?,"splits":{...}?,"source":{...}?}, so
// readers find `stats.samples` etc. at fixed names. Plain value type; needs external
// synchronization.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "catalog/dataset_declaration.h"
#include "catalog/formats/dataset_stats.h"
#include "base/status.h"

namespace edgesync {

struct DatasetSpec {
  formats::DatasetStats stats;  // stats.format is the dataset format
  DatasetDeclaration declared;  // declared.format is left empty: stats.format is the format

  static Result<DatasetSpec> Parse(std::string_view json_text);
  static Result<DatasetSpec> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
  std::string ToCanonicalJson() const { return ToJson().dump(); }

  // {"numberOfSamples": N, "updateTime": RFC 3339 of `updated_ms`} as Sedna reports it.
  nlohmann::json SednaStatus(uint64_t updated_ms) const;

  bool operator==(const DatasetSpec&) const = default;
};

// "2024-05-01T12:00:00.123Z" for milliseconds since the epoch.
std::string Rfc3339FromMillis(uint64_t ms);

}  // namespace edgesync
