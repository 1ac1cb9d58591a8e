#include "control/deploy_commands.h"

#include "checkout/fleet_deployments.h"
#include "base/time_text.h"
#include "base/wall_clock.h"
#include "checkout/release_rules.h"
#include "control/command_params.h"

namespace edgesync {
namespace {

using nlohmann::json;

json ViewJson(const DeploymentView& view) {
  json j = view.spec.ToJson();
  j["status"] = view.state.ToJson();
  j["declared"] = view.declared;
  return j;
}

// A method on one deployment, named by the "name" parameter.
CommandHandler OnNamed(std::function<Result<json>(const std::string& name)> method) {
  return [method = std::move(method)](const json& params, CommandContext&) -> Result<json> {
    Result<std::string> name = RequireString(params, "name");
    if (!name.ok()) return name.status();
    return method(*name);
  };
}

}  // namespace

// Writes one channel rule: a version this node holds becomes what `channel` names for the
// nodes `where` selects.
Result<json> Release(Store& store, Catalog& catalog, const json& params) {
  Result<ObjectKey> key = RequireKey(params);
  if (!key.ok()) return key.status();
  if (key->kind() != ObjectKind::kModel) return Status::InvalidArgument(key->str() + " is not a model");
  ReleaseRule rule;
  rule.key = key->str();
  rule.channel = OptionalString(params, "channel");
  rule.version = OptionalString(params, "version");
  Result<std::map<std::string, std::string>> where = OptionalLabels(params, "where");
  if (!where.ok()) return where.status();
  rule.where = std::move(where).value();
  EDGESYNC_RETURN_IF_ERROR(ValidateReleaseRule(rule));
  Result<VersionInfo> version = store.GetVersion(*key, rule.version);
  if (!version.ok()) return Status::NotFound("version " + rule.version + " of " + key->str() + " is not on this node");
  if (version->record.tombstone) return Status::InvalidArgument("version " + rule.version + " is a deletion");
  rule.at_ms = WallClockMs();
  const ObjectKey document = ObjectKey::Parse(kReleasesDocument).value();
  if (params.contains("at") && !params["at"].is_null()) {
    // A release for later: the rule keeps naming what it names now until then.
    Result<uint64_t> at = params["at"].is_number_unsigned() ? Result<uint64_t>(params["at"].get<uint64_t>())
                          : params["at"].is_string()        ? ParseTimeMs(params["at"].get<std::string>(), rule.at_ms)
                                                            : Status::InvalidArgument("\"at\" must be a time");
    if (!at.ok()) return at.status();
    if (*at > rule.at_ms) {
      rule.activate_ms = *at;
      Result<json> fields = catalog.ReadMetaDocument(document);
      if (!fields.ok() && !fields.status().IsNotFound()) return fields.status();
      ScheduleAfter(&rule, fields.ok() ? fields->value(ReleaseFieldName(rule), json()) : json(), rule.at_ms);
    }
  }
  Result<VersionInfo> written =
      catalog.SetMetaFields(document, {{ReleaseFieldName(rule), ReleaseFieldValue(rule)}});
  if (!written.ok()) return written.status();
  return json{{"key", rule.key},
              {"channel", rule.channel},
              {"version", rule.version},
              {"where", rule.where},
              {"activate_ms", rule.activate_ms},
              {"before", rule.before_version},
              {"document_version", written->id}};
}

void RegisterDeployCommands(CommandDispatcher& dispatcher, Store& store, Catalog& catalog,
                            DeploymentManager& deployments) {
  dispatcher.Register("rollout.status", CommandLane::kQuick,
                      [&catalog](const json& params, CommandContext&) -> Result<json> {
                        Result<ObjectKey> key = RequireKey(params);
                        if (!key.ok()) return key.status();
                        Result<std::vector<RolloutRow>> rows = RolloutStatus(catalog, key->str());
                        if (!rows.ok()) return rows.status();
                        json nodes = json::array();
                        for (const RolloutRow& row : *rows) {
                          json entry = row.report;
                          entry["node"] = row.node;
                          entry["deployment"] = row.deployment;
                          nodes.push_back(std::move(entry));
                        }
                        return json{{"key", key->str()}, {"nodes", nodes}};
                      });
  dispatcher.Register("release", CommandLane::kQuick, [&store, &catalog](const json& params, CommandContext&) {
    return Release(store, catalog, params);
  });
  dispatcher.Register("deploy.add", CommandLane::kQuick,
                      [&deployments](const json& params, CommandContext&) -> Result<json> {
                        Result<DeploymentSpec> spec = DeploymentSpec::FromJson(params);
                        if (!spec.ok()) return spec.status();
                        Result<DeploymentView> added = deployments.Add(*spec);
                        if (!added.ok()) return added.status();
                        return ViewJson(*added);
                      });
  dispatcher.Register("deploy.ls", CommandLane::kQuick, [&deployments](const json&, CommandContext&) -> Result<json> {
    json list = json::array();
    for (const DeploymentView& view : deployments.List()) list.push_back(ViewJson(view));
    return json{{"deployments", list}};
  });
  dispatcher.Register("deploy.show", CommandLane::kQuick, OnNamed([&deployments](const std::string& name) -> Result<json> {
                        Result<DeploymentView> view = deployments.Show(name);
                        if (!view.ok()) return view.status();
                        return ViewJson(*view);
                      }));
  dispatcher.Register("deploy.rm", CommandLane::kQuick, OnNamed([&deployments](const std::string& name) -> Result<json> {
                        EDGESYNC_RETURN_IF_ERROR(deployments.Remove(name));
                        return json{{"name", name}, {"removed", true}};
                      }));
  dispatcher.Register("deploy.retry", CommandLane::kQuick, OnNamed([&deployments](const std::string& name) -> Result<json> {
                        EDGESYNC_RETURN_IF_ERROR(deployments.Retry(name));
                        return json{{"name", name}, {"retrying", true}};
                      }));
}

}  // namespace edgesync
