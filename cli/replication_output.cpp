#include "cli/replication_output.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "cli/table_printer.h"

namespace edgesync {
namespace {

using nlohmann::json;

// "12s ago", "3m ago", "never".
std::string Ago(uint64_t at_ms) {
  if (at_ms == 0) return "never";
  auto now = std::chrono::system_clock::now().time_since_epoch();
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  return HumanAge(static_cast<uint64_t>(std::max<int64_t>(0, now_ms - static_cast<int64_t>(at_ms))));
}

uint64_t U64(const json& object, const char* key) { return object.value(key, uint64_t{0}); }

// A string field, "-" when missing or empty (a plaintext test link has no certified role).
std::string Text(const json& object, const char* key) {
  std::string value = object.value(key, "");
  return value.empty() ? "-" : value;
}

}  // namespace

void PrintPeers(const json& r, std::ostream& out) {
  if (!r.value("networking", false)) {
    out << "replication is off: set network.peer_listen or network.peers (docs/config.md)\n";
  }
  const json& peers = r.contains("peers") ? r["peers"] : json::array();
  if (peers.empty()) {
    out << "no peers\n";
  } else {
    TablePrinter table(
        {"PEER", "ROLE", "STATE", "ADDRESS", "LAST SEEN", "IN", "OUT", "LAG", "TRANSFERS", "VERSION"});
    for (const json& p : peers) {
      bool connected = p.value("connected", false);
      table.AddRow({Text(p, "node_id"), Text(p, "role"),
                    connected ? "connected" : "disconnected", Text(p, "address"),
                    connected ? "now" : Ago(U64(p, "last_seen_ms")),
                    HumanBytes(U64(p, "bytes_in")), HumanBytes(U64(p, "bytes_out")),
                    std::to_string(U64(p, "lag")), std::to_string(U64(p, "transfers")),
                    Text(p, "version")});
    }
    table.Print(out);
  }
  const json& refused = r.contains("refused") ? r["refused"] : json::array();
  for (const json& x : refused) {
    out << "refused " << x.value("address", "-") << " (" << U64(x, "count") << "x, last "
        << Ago(U64(x, "at_ms")) << "): " << x.value("reason", "-") << "\n";
  }
  if (U64(r, "pending_versions") > 0) {
    out << U64(r, "pending_versions") << " version(s) pending\n";
  }
}

void PrintPeerLists(const json& r, std::ostream& out) {
  TablePrinter table({"PEER", "FROM"});
  for (const json& peer : r.value("static", json::array())) table.AddRow({peer.get<std::string>(), "config"});
  for (const json& peer : r.value("runtime", json::array()))
    table.AddRow({peer.get<std::string>(), "runtime"});
  table.Print(out);
}

void PrintResync(const json& r, std::ostream& out) {
  const json& peers = r.contains("peers") ? r["peers"] : json::array();
  if (peers.empty()) out << "resync: no connected peer to compare with\n";
  auto list = [](const json& keys) {
    std::string text;
    for (const json& k : keys) text += (text.empty() ? "" : ", ") + k.get<std::string>();
    return text;
  };
  for (const json& p : peers) {
    out << p.value("node_id", "-") << ": ";
    if (!p.value("done", false))
      out << (p.value("connected", false) ? "log not read to its end in time; " : "link lost; ");
    out << U64(p, "keys_compared") << " key(s) compared, " << U64(p, "in_sync") << " in sync";
    if (!p["fixed"].empty()) out << ", fetched " << p["fixed"].size() << ": " << list(p["fixed"]);
    if (!p["fetching"].empty()) out << ", still fetching " << p["fetching"].size() << ": " << list(p["fetching"]);
    if (!p["unserved"].empty()) out << ", cannot be served " << p["unserved"].size() << ": " << list(p["unserved"]);
    out << "\n";
  }
}

void PrintUnserved(const json& unserved, std::ostream& out) {
  if (!unserved.is_array()) return;
  for (const json& u : unserved) {
    out << u.value("key", "-") << " version " << u.value("version", "-")
        << " cannot be served: " << u.value("reason", "-") << " (since "
        << Ago(U64(u, "since_ms")) << ")\n";
  }
}

void PrintWait(const json& r, std::ostream& out) {
  if (r.value("met", false)) {
    out << "wait " << r.value("target", "-") << ": " << r.value("summary", "-") << " after "
        << static_cast<int>(r.value("seconds", 0.0) * 1000) << " ms\n";
    return;
  }
  std::string missing;
  for (const json& m : r.value("missing", json::array())) {
    if (!missing.empty()) missing += ", ";
    missing += m.get<std::string>();
  }
  out << "wait " << r.value("target", "-") << ": timed out after "
      << U64(r, "timeout_ms") / 1000.0 << " s: " << r.value("summary", "-")
      << "; missing: " << (missing.empty() ? "-" : missing) << "\n";
}

void PrintWhere(const json& r, std::ostream& out) {
  const json& nodes = r.contains("nodes") ? r["nodes"] : json::array();
  PrintUnserved(r.value("unserved", json::array()), out);
  if (nodes.empty()) {
    out << "no node is known to hold " << r.value("key", "-") << "\n";
    return;
  }
  TablePrinter table({"NODE", "WHERE", "VERSIONS"});
  for (const json& n : nodes) {
    std::string versions;
    for (const json& v : n.value("versions", json::array())) {
      if (!versions.empty()) versions += ",";
      versions += v.get<std::string>();
    }
    const std::string where = n.value("local", false)      ? "local"
                              : !n.value("reported", false) ? "peer"
                                                            : "record, " + HumanAge(U64(n, "age_ms")) +
                                                                  (n.value("stale", false) ? " (stale)" : "");
    table.AddRow({n.value("node_id", "-"), where, versions.empty() ? "-" : versions});
  }
  table.Print(out);
}

void PrintCredentialReload(const json& r, std::ostream& out) {
  const json closed = r.value("closed", json::array());
  out << "reloaded the cluster credentials; " << closed.size() << " link(s) closed\n";
  for (const json& line : closed) out << "closed " << line.get<std::string>() << "\n";
  const json credentials = r.value("credentials", json::object());
  for (const json& warning : credentials.value("warnings", json::array()))
    out << "warning: " << warning.get<std::string>() << "\n";
}

void PrintJoinToken(const json& r, std::ostream& out) {
  out << r.value("token", "") << "\n"
      << "single use, role " << r.value("role", "") << ", expires " << r.value("expires", "") << "\n"
      << "on the new node, with the token in a file only its user can read:\n"
      << "  edgesync cluster join --token-file TOKEN_FILE --server " << r.value("server", "")
      << " --ca-fingerprint " << r.value("ca_fingerprint", "") << "\n";
}

}  // namespace edgesync
