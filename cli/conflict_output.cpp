#include "cli/conflict_output.h"

#include <string>

#include "cli/meta_fields.h"
#include "cli/table_printer.h"

namespace edgesync {
namespace {

using nlohmann::json;

std::string Joined(const json& lines) {
  std::string text;
  for (const json& line : lines) {
    if (!text.empty()) text += "; ";
    text += line.is_string() ? line.get<std::string>() : line.dump();
  }
  return text.empty() ? "-" : text;
}

// Versions refused because they carry the vector of another version (a reused counter).
void PrintIdentityClashes(const json& clashes, std::ostream& out) {
  TablePrinter table({"KEY", "VECTOR", "KEPT", "REFUSED", "AUTHOR", "FROM"});
  for (const json& c : clashes) {
    table.AddRow({c.value("key", "-"), c.value("vector", "-"), c.value("local_version", "-"),
                  c.value("refused_version", "-"), c.value("author", "-"), c.value("peer", "") == "" ? "-" : c.value("peer", "-")});
  }
  table.Print(out);
  out << clashes.size() << " identity clash(es): the author's store issued a vector twice (restored "
      << "from an old copy?); re-put the right content on the author to supersede both\n";
}

}  // namespace

void PrintConflicts(const json& r, std::ostream& out) {
  const json& conflicts = r.contains("conflicts") ? r["conflicts"] : json::array();
  const json& clashes = r.contains("identity_clashes") ? r["identity_clashes"] : json::array();
  if (!clashes.empty()) PrintIdentityClashes(clashes, out);
  if (conflicts.empty()) {
    out << "no conflicts\n";
    return;
  }
  TablePrinter table({"KEY", "POLICY", "VERSION", "AUTHOR", "TIME", "STATE", "CHANGES"});
  for (const json& c : conflicts) {
    bool first = true;
    for (const json& h : c.value("heads", json::array())) {
      std::string against = h.value("against", "");
      std::string changes = Joined(h.value("changes", json::array()));
      if (!against.empty()) changes += " (vs " + against + ")";
      table.AddRow({first ? c.value("key", "-") : "", first ? c.value("policy", "-") : "",
                    h.value("version", "-"), h.value("author", "-"), h.value("time", "-"),
                    h.value("tombstone", false) ? "deleted" : "live", changes});
      first = false;
    }
  }
  table.Print(out);
  out << conflicts.size() << " conflicted key(s); resolve with `edgesync resolve <key> --keep "
      << "<version>` or `--merge`\n";
}

void PrintResolved(const json& r, std::ostream& out) {
  out << "resolved " << r.value("key", "-") << " -> version " << r.value("version", "-");
  if (r.contains("kept")) out << " (content of " << r.value("kept", "-") << ")";
  if (r.contains("policy")) {
    out << " (" << r.value("policy", "-") << ", winner " << r.value("winner", "-") << ")";
  }
  out << "\n";
}

void PrintMetaDocument(const json& r, std::ostream& out) {
  out << r.value("key", "-") << " version " << r.value("version", "-");
  if (r.value("heads", 1) > 1) out << " (" << r.value("heads", 1) << " heads, merged view)";
  out << "\n";
  const json& fields = r.contains("fields") ? r["fields"] : json::object();
  TablePrinter table({"FIELD", "VALUE"});
  for (const auto& [name, value] : fields.items()) table.AddRow({name, FieldValueText(value)});
  table.Print(out);
}

}  // namespace edgesync
