#include "store/catalog/dataset_spec.h"

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
  if (auto s = j.find("source"); s != j.end()) {
    if (!s->is_object()) return Status::InvalidArgument("dataset spec: field 'source' must be an object");
    for (auto [name, field] : {std::pair{"url", &spec.source.url},
                               std::pair{"nodeName", &spec.source.node_name},
                               std::pair{"credentialName", &spec.source.credential_name}}) {
      auto it = s->find(name);
      if (it == s->end()) continue;
      if (!it->is_string())
        return Status::InvalidArgument(std::string("dataset spec: field 'source.") + name + "' must be a string");
      *field = it->get<std::string>();
    }
  }
  return spec;
}

json DatasetSpec::ToJson() const {
  json j = stats.ToJson();
  j["kind"] = "dataset";
  if (!source.empty()) {
    json s = json::object();
    if (!source.url.empty()) s["url"] = source.url;
    if (!source.node_name.empty()) s["nodeName"] = source.node_name;
    if (!source.credential_name.empty()) s["credentialName"] = source.credential_name;
    j["source"] = std::move(s);
  }
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
