#include "cli/cli_output.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cli/replication_output.h"
#include "cli/table_printer.h"

namespace edgesync {
namespace {

using nlohmann::json;

std::string Str(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string Bytes(const json& object, const char* key) {
  auto it = object.find(key);
  return (it != object.end() && it->is_number_unsigned()) ? HumanBytes(it->get<uint64_t>()) : "-";
}

std::string Rate(const json& result) {
  double seconds = result.value("seconds", 0.0);
  uint64_t bytes = result.value("bytes", uint64_t{0});
  char buf[64];
  if (seconds <= 0) return "";
  std::snprintf(buf, sizeof buf, " in %.2fs (%.1f MB/s)", seconds,
                static_cast<double>(bytes) / seconds / 1e6);
  return buf;
}

std::string JoinLabels(const json& labels) {
  std::string text;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (!text.empty()) text += ",";
    text += it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump());
  }
  return text.empty() ? "-" : text;
}

std::string JoinStrings(const json& list) {
  std::string text;
  for (const auto& item : list) {
    if (!text.empty()) text += ",";
    text += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return text.empty() ? "-" : text;
}

// A dataset's class counts, largest first: "classes:  cat 2, dog 1 (column label)".
void PrintClassHistogram(const json& spec, std::ostream& out) {
  const json classes = spec.value("stats", json::object()).value("classes", json::object());
  if (!classes.is_object() || classes.empty()) return;
  std::vector<std::pair<std::string, uint64_t>> counts;
  for (const auto& [name, count] : classes.items())
    counts.emplace_back(name, count.is_number_unsigned() ? count.get<uint64_t>() : 0);
  std::stable_sort(counts.begin(), counts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out << "classes: ";
  for (size_t i = 0; i < counts.size(); ++i)
    out << (i ? ", " : " ") << counts[i].first << " " << counts[i].second;
  if (spec.contains("label_column")) out << " (column " << Str(spec, "label_column") << ")";
  out << "\n";
}

}  // namespace

void PrintStatus(const json& r, std::ostream& out) {
  const json& store = r.contains("store") ? r["store"] : json::object();
  TablePrinter table({"FIELD", "VALUE"});
  table.AddRow({"node", Str(r, "node_name") + " (" + Str(r, "node_id") + ")"});
  table.AddRow({"version", Str(r, "version") + ", pid " + Str(r, "pid") + ", up " +
                               Str(r, "uptime_seconds") + "s"});
  table.AddRow({"labels", JoinLabels(r.value("labels", json::object()))});
  table.AddRow({"subscriptions", JoinStrings(r.value("subscriptions", json::array()))});
  table.AddRow({"data", Str(r, "data_dir")});
  table.AddRow({"control socket", Str(r, "control_socket")});
  table.AddRow({"peer listen", Str(r, "peer_listen")});
  table.AddRow({"http status", Str(r, "http_status")});
  table.AddRow({"objects", Str(store, "keys") + " keys, " + Bytes(store, "logical_bytes") +
                               " logical, " + Bytes(store, "chunk_bytes") + " stored in " +
                               Str(store, "chunks") + " chunks"});
  if (const std::string key_id = store.value("encryption_key_id", ""); !key_id.empty())
    table.AddRow({"encryption", "at rest, key id " + key_id});
  const json quota = r.value("disk_quota", json());
  if (quota.is_object())
    table.AddRow({"disk quota", Bytes(quota, "used_bytes") + " of " + Bytes(quota, "limit_bytes") + ", " +
                                    Str(quota, "evicted_versions") + " versions evicted" +
                                    (quota.value("replication_paused", false) ? ", replication paused" : "")});
  for (const json& peer : r.value("peers", json::array()))
    table.AddRow({"peer " + Str(peer, "node_id"), Str(peer, "version")});
  const json credentials = r.value("credentials", json());
  if (credentials.is_object()) {
    for (const char* what : {"certificate", "crl"}) {
      const json item = credentials.value(what, json());
      if (item.is_object()) table.AddRow({what, Str(item, "file") + ", until " + Str(item, "until")});
    }
  }
  table.Print(out);
  if (credentials.is_object())
    for (const json& warning : credentials.value("warnings", json::array()))
      out << "warning: " << warning.get<std::string>() << "\n";
  if (quota.is_object() && quota.contains("paused_reason"))
    out << "warning: replication paused: " << Str(quota, "paused_reason") << "\n";
  PrintUnserved(r.value("unserved", json::array()), out);
}

void PrintObjectList(const json& r, std::ostream& out) { PrintObjectListPage(r, true, out); }

void PrintObjectListPage(const json& r, bool first_page, std::ostream& out) {
  TablePrinter table({"KEY", "VERSION", "FILES", "SIZE", "UPDATED", "HEADS"});
  for (const json& o : r.value("objects", json::array())) {
    table.AddRow({Str(o, "key"), Str(o, "version"), Str(o, "files"), Bytes(o, "bytes"),
                  Str(o, "time"), Str(o, "heads")});
  }
  table.Print(out, first_page);
}

void PrintObjectDetails(const json& r, std::ostream& out) {
  out << "key:      " << Str(r, "key") << "\n"
      << "version:  " << Str(r, "version") << " (" << Str(r, "vector") << ")\n"
      << "updated:  " << Str(r, "time") << " by " << Str(r, "author") << "\n";
  if (r.contains("heads") && r["heads"].size() > 1) {
    out << "heads:    " << r["heads"].size() << " concurrent versions:";
    for (const json& head : r["heads"]) out << " " << Str(head, "version");
    out << "\n";
  }
  if (r.contains("spec") && r["spec"].is_object() && !r["spec"].empty()) {
    out << "spec:     " << r["spec"].dump() << "\n";
    PrintClassHistogram(r["spec"], out);
  }
  if (r.contains("files")) {
    out << "files:\n";
    TablePrinter table({"PATH", "SIZE", "MODE", "SHA256"});
    for (const json& f : r["files"]) {
      table.AddRow({Str(f, "path"), Bytes(f, "size"), Str(f, "mode"),
                    Str(f, "sha256").substr(0, 16)});
    }
    table.Print(out);
  }
}

// "kept: head", "drops after 3 more versions", "dropped at next gc (older than keep_for)".
std::string RetentionNote(const json& v) {
  auto it = v.find("retention");
  if (it == v.end() || !it->is_object()) return "-";
  const json& r = *it;
  const std::string why = r.value("why", "");
  if (!r.value("keep", true)) return "dropped at next commit or gc (" + why + ")";
  if (r.value("protected", false)) return "kept: " + why;
  std::string note = "drops after " + std::to_string(r.value("drops_after_versions", 0)) + " newer";
  if (r.contains("drops_at")) note += " or at " + r.value("drops_at", "");
  return note;
}

void PrintHistory(const json& r, std::ostream& out) {
  TablePrinter table({"VERSION", "TIME", "AUTHOR", "FILES", "SIZE", "NOTE", "RETENTION"});
  for (const json& v : r.value("versions", json::array())) {
    std::string note = v.value("tombstone", false) ? "deleted" : v.value("summary", "");
    if (v.value("evicted", false)) note = (note.empty() ? "" : note + "; ") + "evicted (fetched again when read)";
    table.AddRow({Str(v, "version"), Str(v, "time"), Str(v, "author"), Str(v, "files"),
                  Bytes(v, "bytes"), note.empty() ? "-" : note, RetentionNote(v)});
  }
  table.Print(out);
  const json next = r.value("next_drops", json::object());
  if (next.contains("by_count"))
    out << "retention drops next: " << Str(next["by_count"], "version") << " after "
        << Str(next["by_count"], "after_versions") << " newer version(s)\n";
  if (next.contains("by_age"))
    out << "retention drops next by age: " << Str(next["by_age"], "version") << " at "
        << Str(next["by_age"], "at") << "\n";
  if (r.contains("next_drops") && next.empty()) out << "retention drops nothing next: every version is protected\n";
}

void PrintSelection(const json& r, std::ostream& out) {
  TablePrinter table({"KEY", "VERSION", "TASK", "METRICS"});
  for (const json& m : r.value("models", json::array())) {
    // One named copy: iterating two separate temporaries from value() compared iterators of
    // different objects (nlohmann invalid_iterator.212) on every row.
    const json metric_values = m.value("metrics", json::object());
    std::string metrics;
    if (metric_values.is_object()) {
      for (const auto& [name, value] : metric_values.items()) {
        if (!metrics.empty()) metrics += " ";
        metrics += name + "=" + value.dump();
      }
    }
    table.AddRow({Str(m, "key"), Str(m, "version"), Str(m, "task"),
                  metrics.empty() ? "-" : metrics});
  }
  table.Print(out);
}

void PrintApplied(const json& r, std::ostream& out) {
  TablePrinter table({"KEY", "VERSION"});
  for (const json& o : r.value("applied", json::array())) {
    table.AddRow({Str(o, "key"), Str(o, "version")});
  }
  table.Print(out);
}

void PrintVersionWritten(const char* verb, const json& r, std::ostream& out) {
  out << verb << " " << Str(r, "key") << " -> version " << Str(r, "version");
  if (r.contains("bytes")) out << " (" << Bytes(r, "bytes") << Rate(r) << ")";
  out << "\n";
}

void PrintGet(const json& r, std::ostream& out) {
  out << "wrote " << Str(r, "key") << " version " << Str(r, "version") << " to "
      << Str(r, "dest") << " (" << Str(r, "files") << " files, " << Bytes(r, "bytes") << Rate(r)
      << ")\n";
}

void PrintExport(const json& r, std::ostream& out) {
  out << "exported " << Str(r, "key") << " version " << Str(r, "version") << " to " << Str(r, "url") << " ("
      << Str(r, "uploaded") << " uploaded, " << Str(r, "skipped") << " unchanged, " << Bytes(r, "bytes")
      << Rate(r) << ")\n";
}

void PrintCheckout(const json& r, std::ostream& out) {
  if (r.contains("error")) {
    out << "checkout of " << Str(r, "key") << " failed: " << Str(r, "error") << "\n";
    return;
  }
  out << (r.value("switched", false) ? "switched " : "unchanged ") << Str(r, "target") << " -> "
      << Str(r, "key") << " version " << Str(r, "version")
      << (r.contains("part") ? " part " + Str(r, "part") : "") << " (" << Str(r, "files")
      << " files, " << Bytes(r, "bytes") << ")\n";
}

void PrintGc(const nlohmann::json& r, std::ostream& out) {
  auto n = [&r](const char* name) { return r.value(name, uint64_t{0}); };
  out << "gc: scanned " << n("chunks_scanned") << " chunks, deleted " << n("chunks_deleted") << " chunks ("
      << n("bytes_deleted") << " bytes) and " << n("manifests_deleted") << " manifests";
  if (n("versions_dropped") > 0) out << "; retention dropped " << n("versions_dropped") << " version(s)";
  if (n("purged_keys") > 0) out << "; purged " << n("purged_keys") << " deleted key(s) for good";
  if (n("packs_retired") + n("orphan_packs_deleted") > 0)
    out << "; chunk tier: retired " << n("packs_retired") << " pack(s) (" << n("packs_rewritten")
        << " rewritten), deleted " << n("orphan_packs_deleted") << " orphan pack(s)";
  out << "\n";
}

}  // namespace edgesync
