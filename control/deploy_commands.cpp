#include "control/deploy_commands.h"

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

void RegisterDeployCommands(CommandDispatcher& dispatcher, DeploymentManager& deployments) {
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
