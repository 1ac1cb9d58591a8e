#include "cli/limits_output.h"

#include "cli/table_printer.h"

namespace edgesync {
namespace {

using nlohmann::json;

std::string Text(const json& value) { return value.is_string() ? value.get<std::string>() : "node-wide"; }

}  // namespace

void PrintLimits(const json& r, std::ostream& out) {
  out << "in force: send " << r.value("send", "?") << ", receive " << r.value("recv", "?");
  if (r["window"].is_string()) {
    out << " (schedule window " << r["window"].get<std::string>() << ")";
  } else {
    out << " (network.max_send_rate / max_recv_rate)";
  }
  if (r["until"].is_string()) out << " until " << r["until"].get<std::string>();
  out << "\n";
  if (!r.value("schedule", json::array()).empty()) {
    TablePrinter table({"WINDOW", "SEND", "RECEIVE"});
    for (const json& w : r["schedule"])
      table.AddRow({w.value("window", ""), Text(w["send"]), Text(w["recv"])});
    out << "\nschedule (local time; outside it send " << r.value("max_send_rate", "?") << ", receive "
        << r.value("max_recv_rate", "?") << "):\n";
    table.Print(out);
  }
  if (!r.value("peer_rates", json::array()).empty()) {
    TablePrinter table({"PEER", "SEND", "RECEIVE"});
    for (const json& p : r["peer_rates"])
      table.AddRow({p.value("peer", ""), Text(p["send"]), Text(p["recv"])});
    out << "\nper-peer limits:\n";
    table.Print(out);
  }
  if (!r.value("priorities", json::array()).empty()) {
    TablePrinter table({"KEYS", "CLASS"});
    for (const json& p : r["priorities"]) table.AddRow({p.value("glob", ""), p.value("class", "")});
    out << "\npriorities (first match; other keys normal):\n";
    table.Print(out);
  }
}

}  // namespace edgesync
