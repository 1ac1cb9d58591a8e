#include "catalog/dataset_declaration.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "catalog/formats/format_detect.h"
#include "store/object_key.h"

namespace edgesync {

using json = nlohmann::json;

namespace {

constexpr std::array<std::string_view, 5> kDeclarationFields = {"kind", "format", "label_column",
                                                                 "splits", "source"};

Status Bad(const std::string& what, const std::string& field, const std::string& problem) {
  return Status::InvalidArgument(what + ": field '" + field + "' " + problem);
}

Status ReadString(const json& j, const char* name, const std::string& what, std::string* out) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return Bad(what, name, "must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ValidateSplitName(const std::string& name, const std::string& what) {
  const bool ok = !name.empty() && name.size() <= 63 &&
                  std::all_of(name.begin(), name.end(), [](unsigned char c) {
                    return std::islower(c) || std::isdigit(c) || c == '-' || c == '_';
                  });
  if (!ok) return Bad(what, "splits." + name, "has an invalid split name (use 1-63 of a-z, 0-9, '-', '_')");
  return Status::Ok();
}

Status ReadSplits(const json& j, const std::string& what, std::map<std::string, std::string>* out) {
  auto it = j.find("splits");
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return Bad(what, "splits", "must be an object of split name -> file path");
  for (const auto& [name, path] : it->items()) {
    EDGESYNC_RETURN_IF_ERROR(ValidateSplitName(name, what));
    if (!path.is_string()) return Bad(what, "splits." + name, "must be a file path (a string)");
    const std::string file = path.get<std::string>();
    Status valid = ValidateRelativePath(file);
    if (!valid.ok()) return Status::InvalidArgument(what + ": field 'splits." + name + "': " + valid.message());
    (*out)[name] = file;
  }
  return Status::Ok();
}

Status ReadSource(const json& j, const std::string& what, DatasetSource* out) {
  auto s = j.find("source");
  if (s == j.end() || s->is_null()) return Status::Ok();
  if (!s->is_object()) return Bad(what, "source", "must be an object");
  for (auto [name, field] : {std::pair{"url", &out->url}, std::pair{"nodeName", &out->node_name},
                             std::pair{"credentialName", &out->credential_name}}) {
    auto it = s->find(name);
    if (it == s->end()) continue;
    if (!it->is_string()) return Bad(what, std::string("source.") + name, "must be a string");
    *field = it->get<std::string>();
  }
  return Status::Ok();
}

}  // namespace

Status ReadDeclaredDatasetFields(const json& j, const std::string& what, DatasetDeclaration* out) {
  EDGESYNC_RETURN_IF_ERROR(ReadString(j, "label_column", what, &out->label_column));
  EDGESYNC_RETURN_IF_ERROR(ReadSplits(j, what, &out->splits));
  return ReadSource(j, what, &out->source);
}

void WriteDeclaredDatasetFields(const DatasetDeclaration& declared, json& j) {
  if (!declared.label_column.empty()) j["label_column"] = declared.label_column;
  if (!declared.splits.empty()) j["splits"] = declared.splits;
  if (!declared.source.empty()) {
    json s = json::object();
    if (!declared.source.url.empty()) s["url"] = declared.source.url;
    if (!declared.source.node_name.empty()) s["nodeName"] = declared.source.node_name;
    if (!declared.source.credential_name.empty()) s["credentialName"] = declared.source.credential_name;
    j["source"] = std::move(s);
  }
}

Result<DatasetDeclaration> DatasetDeclaration::Parse(std::string_view json_text) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("dataset spec is not valid JSON");
  return FromJson(j);
}

Result<DatasetDeclaration> DatasetDeclaration::FromJson(const json& j) {
  const std::string what = "dataset spec";
  if (!j.is_object()) return Status::InvalidArgument(what + " must be a JSON object");
  for (const auto& [name, value] : j.items()) {
    if (std::find(kDeclarationFields.begin(), kDeclarationFields.end(), name) == kDeclarationFields.end())
      return Status::InvalidArgument(what + ": unknown field '" + name +
                                     "' (known: kind, format, label_column, splits, source)");
  }
  if (auto k = j.find("kind"); k != j.end() && *k != "dataset")
    return Bad(what, "kind", "must be \"dataset\"");
  DatasetDeclaration out;
  EDGESYNC_RETURN_IF_ERROR(ReadString(j, "format", what, &out.format));
  if (!out.format.empty() &&
      std::find(formats::kDatasetFormatNames.begin(), formats::kDatasetFormatNames.end(), out.format) ==
          formats::kDatasetFormatNames.end())
    return Bad(what, "format", "'" + out.format +
                                   "' is not a dataset format (csv, txt-index, txt-boxes, voc-xml, "
                                   "coco-json, yolo-txt)");
  EDGESYNC_RETURN_IF_ERROR(ReadDeclaredDatasetFields(j, what, &out));
  if (auto it = j.find("label_column"); it != j.end() && out.label_column.empty())
    return Bad(what, "label_column", "must not be empty");
  if (!out.label_column.empty() && !out.format.empty() && out.format != "csv")
    return Bad(what, "label_column", "applies only to the csv format, not " + out.format);
  return out;
}

Status DatasetDeclaration::ValidateSplitFiles(const std::set<std::string>& files) const {
  for (const auto& [name, file] : splits) {
    if (!files.count(file))
      return Bad("dataset spec", "splits." + name, "names '" + file + "', which is not a file of the dataset");
  }
  return Status::Ok();
}

}  // namespace edgesync
