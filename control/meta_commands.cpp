#include "control/meta_commands.h"

#include "conflict/policy.h"
#include "control/command_params.h"
#include "control/store_commands.h"

namespace edgesync {
namespace {

using nlohmann::json;

Result<ObjectKey> RequireMetaKey(const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  if (key->kind() != ObjectKind::kMeta) {
    return Status::InvalidArgument(key->str() + " is not a metadata document (meta/...)");
  }
  return key;
}

// Every value of the policy document must be a policy text.
Status CheckPolicyFields(const json& fields) {
  for (const auto& [pattern, value] : fields.items()) {
    if (!value.is_string()) {
      return Status::InvalidArgument(std::string(conflict::PolicyTable::kDocumentKey) + " field '" +
                                     pattern + "' must be a policy text");
    }
    Result<conflict::ConflictPolicy> policy = conflict::ConflictPolicy::Parse(value.get<std::string>());
    if (!policy.ok()) return policy.status().WithContext("field '" + pattern + "'");
  }
  return Status::Ok();
}

Result<json> Set(Catalog& catalog, const json& params) {
  Result<ObjectKey> key = RequireMetaKey(params);
  if (!key.ok()) return key.status();
  auto fields = params.find("fields");
  if (fields == params.end() || !fields->is_object() || fields->empty()) {
    return Status::InvalidArgument("\"fields\" must be a non-empty object of field -> value");
  }
  if (key->str() == conflict::PolicyTable::kDocumentKey) {
    EDGESYNC_RETURN_IF_ERROR(CheckPolicyFields(*fields));
  }
  Result<VersionInfo> version = catalog.SetMetaFields(*key, *fields);
  if (!version.ok()) return version.status();
  return VersionJson(*version);
}

Result<json> Unset(Catalog& catalog, const json& params) {
  Result<ObjectKey> key = RequireMetaKey(params);
  if (!key.ok()) return key.status();
  auto fields = params.find("fields");
  if (fields == params.end() || !fields->is_array() || fields->empty()) {
    return Status::InvalidArgument("\"fields\" must be a non-empty array of field names");
  }
  std::vector<std::string> names;
  for (const json& name : *fields) {
    if (!name.is_string()) return Status::InvalidArgument("field names must be strings");
    names.push_back(name.get<std::string>());
  }
  Result<VersionInfo> version = catalog.DeleteMetaFields(*key, names);
  if (!version.ok()) return version.status();
  return VersionJson(*version);
}

Result<json> Get(Store& store, Catalog& catalog, const json& params) {
  Result<ObjectKey> key = RequireMetaKey(params);
  if (!key.ok()) return key.status();
  Result<json> fields = catalog.ReadMetaDocument(*key);
  if (!fields.ok()) return fields.status().WithContext(key->str());
  Result<std::vector<VersionInfo>> heads = store.Heads(*key);
  Result<VersionInfo> latest = store.Latest(*key);
  if (!heads.ok() || !latest.ok()) return Status::NotFound(key->str() + ": no such document");
  json result = VersionJson(*latest);
  result["heads"] = heads->size();
  result["fields"] = *fields;
  return result;
}

}  // namespace

void RegisterMetaCommands(CommandDispatcher& dispatcher, Store& store, Catalog& catalog) {
  dispatcher.Register("meta.set", CommandLane::kQuick,
                      [&catalog](const json& p, CommandContext&) { return Set(catalog, p); });
  dispatcher.Register("meta.unset", CommandLane::kQuick,
                      [&catalog](const json& p, CommandContext&) { return Unset(catalog, p); });
  dispatcher.Register("meta.get", CommandLane::kQuick,
                      [&store, &catalog](const json& p, CommandContext&) {
                        return Get(store, catalog, p);
                      });
}

}  // namespace edgesync
