#include "cli/deploy_output.h"

#include "base/time_text.h"
#include "cli/table_printer.h"

namespace edgesync {
namespace {

using nlohmann::json;

std::string Short(const std::string& version) { return version.empty() ? "-" : version.substr(0, 16); }

std::string Words(const json& argv) {
  std::string text;
  for (const auto& word : argv) text += (text.empty() ? "" : " ") + word.get<std::string>();
  return text.empty() ? "-" : text;
}

}  // namespace

void PrintDeployment(const json& r, std::ostream& out) {
  const json status = r.value("status", json::object());
  out << "deployment " << r.value("name", "") << ": " << r.value("key", "") << " at " << r.value("dir", "");
  if (!r.value("part", "").empty()) out << " (part " << r.value("part", "") << ")";
  else if (!status.value("part", "").empty()) out << " (part " << status.value("part", "") << ", placed here)";
  const std::string follows = !r.value("version", "").empty()   ? "version " + r.value("version", "")
                              : !r.value("channel", "").empty() ? "channel " + r.value("channel", "")
                                                                : "latest";
  out << "\n  follows:  " << follows
      << "\n  state:    " << status.value("state", "") << "\n  active:   " << Short(status.value("active", ""))
      << "\n  target:   " << Short(status.value("target", "")) << "\n  on switch: " << Words(r.value("on_switch", json::array()))
      << "\n  health:   " << Words(r.value("health", json::array())) << " (within "
      << r.value("health_timeout_ms", uint64_t{0}) / 1000.0 << " s)\n  switches: " << status.value("switches", 0)
      << ", rollbacks: " << status.value("rollbacks", 0) << "\n";
  const json failed = status.value("failed_versions", json::array());
  if (!failed.empty()) {
    out << "  failed here:";
    for (const auto& v : failed) out << " " << Short(v.get<std::string>());
    out << " (edgesync deploy retry " << r.value("name", "") << " to try again)\n";
  }
  if (!status.value("next", "").empty())
    out << "  next:     " << Short(status.value("next", "")) << " at "
        << FormatTimeMs(status.value("next_at_ms", uint64_t{0})) << " (staged beside the active one)\n";
  if (!status.value("last_error", "").empty()) out << "  last error: " << status.value("last_error", "") << "\n";
}

void PrintDeployments(const json& r, std::ostream& out) {
  TablePrinter table({"NAME", "KEY", "DIR", "STATE", "ACTIVE", "TARGET"});
  for (const auto& d : r.value("deployments", json::array())) {
    const json status = d.value("status", json::object());
    table.AddRow({d.value("name", ""), d.value("key", ""), d.value("dir", ""), status.value("state", ""),
               Short(status.value("active", "")), Short(status.value("target", ""))});
  }
  table.Print(out);
}

void PrintDeployCommand(const json& r, std::ostream& out) {
  out << "deployment " << r.value("name", "") << (r.value("removed", false) ? " removed (its directory stays)" : " will retry")
      << "\n";
}

void PrintRolloutStatus(const json& r, std::ostream& out) {
  const json nodes = r.value("nodes", json::array());
  if (nodes.empty()) {
    out << "no node has reported a deployment of " << r.value("key", "") << " to this node\n";
    return;
  }
  TablePrinter table({"NODE", "DEPLOYMENT", "STATE", "ACTIVE", "TARGET", "LAST ERROR"});
  for (const auto& n : nodes)
    table.AddRow({n.value("node", ""), n.value("deployment", ""), n.value("state", ""), Short(n.value("active", "")),
                  Short(n.value("target", "")), n.value("last_error", "").empty() ? "-" : n.value("last_error", "")});
  table.Print(out);
}

bool RolloutHasFailures(const json& r) {
  for (const auto& n : r.value("nodes", json::array())) {
    const std::string state = n.value("state", "");
    if (state == "failed" || state == "rolled_back") return true;
  }
  return false;
}

void PrintRelease(const json& r, std::ostream& out) {
  out << "released " << r.value("key", "") << " version " << Short(r.value("version", "")) << " on channel "
      << r.value("channel", "") << " for ";
  const json where = r.value("where", json::object());
  if (where.empty()) out << "every node";
  else {
    std::string labels;
    for (const auto& [label, value] : where.items()) labels += (labels.empty() ? "" : ",") + label + "=" + value.get<std::string>();
    out << "nodes with " << labels;
  }
  if (r.value("activate_ms", uint64_t{0}) != 0) {
    out << ", in force from " << FormatTimeMs(r["activate_ms"].get<uint64_t>()) << " (until then: "
        << (r.value("before", "").empty() ? "no version" : Short(r.value("before", ""))) << ")";
  }
  out << "\n";
}

}  // namespace edgesync
