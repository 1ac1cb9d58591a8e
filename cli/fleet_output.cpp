#include "cli/fleet_output.h"

#include "cli/table_printer.h"

namespace edgesync {

using nlohmann::json;

void PrintFleet(const json& r, std::ostream& out) {
  const json nodes = r.value("nodes", json::array());
  if (nodes.empty()) {
    out << "no node record matches (records arrive by replication of meta/nodes/*)\n";
    return;
  }
  const std::string key = r.value("key", "");
  TablePrinter table({"NODE", "LABELS", "SOFTWARE", "UPDATED", key.empty() ? "KEYS" : "VERSIONS OF " + key,
                      "DEPLOYMENTS"});
  for (const json& n : nodes) {
    std::string labels;
    const json label_map = n.value("labels", json::object());
    for (const auto& [label, value] : label_map.items())
      labels += (labels.empty() ? "" : ",") + label + "=" + value.get<std::string>();
    std::string held;
    if (key.empty()) {
      held = std::to_string(n.value("keys", uint64_t{0}));
    } else {
      for (const json& v : n.value("versions", json::array()))
        held += (held.empty() ? "" : ",") + v.get<std::string>().substr(0, 16);
    }
    std::string deployments;
    const json deployment_map = n.value("deployments", json::object());
    for (const auto& [name, d] : deployment_map.items())
      deployments += (deployments.empty() ? "" : ",") + name + ":" + d.value("state", "?");
    table.AddRow({n.value("node_id", "-"), labels.empty() ? "-" : labels, n.value("software_version", "-"),
                  HumanAge(n.value("age_ms", uint64_t{0})) + (n.value("stale", false) ? " STALE" : ""),
                  held.empty() ? "-" : held, deployments.empty() ? "-" : deployments});
  }
  table.Print(out);
}

}  // namespace edgesync
