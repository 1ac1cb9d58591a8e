#include "catalog/dataset_spec.h"

#include <cstdio>
#include <ctime>

namespace edgesync {

using json = nlohmann::json;

Result<DatasetSpec> DatasetSpec::Parse(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("dataset spec is not valid JSON");
  return FromJson(j);
}

Result<DatasetSpec> DatasetSpec::FromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("dataset spec must be a JSON object");
  if (auto k = j.find("kind"); k != j.end() && *k != "dataset")
    return Status::InvalidArgument("dataset spec: field 'kind' must be \"dataset\"");
  DatasetSpec spec;
  auto stats = formats::DatasetStats::FromJson(j);
  if (!stats.ok()) return stats.status().WithContext("dataset spec");
  spec.stats = std::move(stats).value();
  EDGESYNC_RETURN_IF_ERROR(ReadDeclaredDatasetFields(j, "dataset spec", &spec.declared));
  return spec;
}

json DatasetSpec::ToJson() const {
  json j = stats.ToJson();
  j["kind"] = "dataset";
  WriteDeclaredDatasetFields(declared, j);
  return j;
}

json DatasetSpec::SednaStatus(uint64_t updated_ms) const {
  return formats::ToSednaDatasetStatus(stats, Rfc3339FromMillis(updated_ms));
}

std::string Rfc3339FromMillis(uint64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace edgesync
