#include "catalog/metadata_document.h"

namespace edgesync {

using json = nlohmann::json;

namespace {

// True when `a` should replace `b`.
bool Beats(const StampedField& a, const StampedField& b) {
  if (a.stamp != b.stamp) return a.stamp > b.stamp;
  if (a.deleted != b.deleted) return a.deleted;
  return a.value.dump() > b.value.dump();
}

Status Bad(const std::string& field, const std::string& what) {
  return Status::InvalidArgument("metadata document: field '" + field + "' " + what);
}

}  // namespace

Status MetadataDocument::ValidateFieldName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("metadata field name is empty");
  if (name.size() > 256)
    return Status::InvalidArgument("metadata field name longer than 256 bytes");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      return Status::InvalidArgument("metadata field name contains a control character");
  return Status::Ok();
}

Result<MetadataDocument> MetadataDocument::Parse(std::string_view spec_json) {
  try {
    return FromJson(json::parse(spec_json));
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("metadata document is not valid JSON: ") + e.what());
  }
}

Result<MetadataDocument> MetadataDocument::FromJson(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("metadata document must be a JSON object");
  MetadataDocument doc;
  if (auto k = j.find("kind"); k != j.end() && *k != "meta")
    return Status::InvalidArgument("metadata document: field 'kind' must be \"meta\"");
  auto it = j.find("fields");
  if (it == j.end()) return doc;
  if (!it->is_object()) return Status::InvalidArgument("metadata document: 'fields' must be an object");
  for (const auto& [name, fj] : it->items()) {
    EDGESYNC_RETURN_IF_ERROR(ValidateFieldName(name));
    if (!fj.is_object()) return Bad(name, "must be an object");
    auto hlc = fj.find("hlc");
    auto node = fj.find("node");
    if (hlc == fj.end() || !hlc->is_number_unsigned()) return Bad(name, "needs an unsigned 'hlc'");
    if (node == fj.end() || !node->is_string()) return Bad(name, "needs a string 'node'");
    StampedField f;
    f.stamp = {hlc->get<HlcStamp>(), node->get<std::string>()};
    auto deleted = fj.find("deleted");
    f.deleted = deleted != fj.end() && deleted->is_boolean() && deleted->get<bool>();
    if (!f.deleted) {
      auto value = fj.find("value");
      if (value == fj.end()) return Bad(name, "needs a 'value' or 'deleted': true");
      f.value = *value;
    }
    doc.fields_[name] = std::move(f);
  }
  return doc;
}

void MetadataDocument::Offer(const std::string& name, StampedField field) {
  auto it = fields_.find(name);
  if (it == fields_.end()) {
    fields_.emplace(name, std::move(field));
  } else if (Beats(field, it->second)) {
    it->second = std::move(field);
  }
}

void MetadataDocument::Set(const std::string& name, json value, const FieldStamp& stamp) {
  Offer(name, StampedField{std::move(value), stamp, false});
}

void MetadataDocument::Delete(const std::string& name, const FieldStamp& stamp) {
  Offer(name, StampedField{json(), stamp, true});
}

json MetadataDocument::View() const {
  json out = json::object();
  for (const auto& [name, f] : fields_)
    if (!f.deleted) out[name] = f.value;
  return out;
}

json MetadataDocument::ToJson() const {
  json fields = json::object();
  for (const auto& [name, f] : fields_) {
    json fj = {{"hlc", f.stamp.hlc}, {"node", f.stamp.node}};
    if (f.deleted) fj["deleted"] = true;
    else fj["value"] = f.value;
    fields[name] = std::move(fj);
  }
  return {{"kind", "meta"}, {"fields", std::move(fields)}};
}

MetadataDocument MergeDocuments(const MetadataDocument& a, const MetadataDocument& b) {
  MetadataDocument out = a;
  for (const auto& [name, f] : b.fields_) out.Offer(name, f);
  return out;
}

}  // namespace edgesync
