#include "catalog/spec_diff.h"

#include <map>

#include <nlohmann/json.hpp>

#include "catalog/metadata_document.h"

namespace edgesync {

using json = nlohmann::json;

namespace {

constexpr size_t kMaxValueChars = 60;
constexpr size_t kMaxSummaryChars = 400;

void Flatten(const json& j, const std::string& prefix, std::map<std::string, json>* out) {
  if (j.is_object() && !j.empty()) {
    for (const auto& [k, v] : j.items()) Flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else if (!prefix.empty()) {
    (*out)[prefix] = j;
  }
}

std::string Show(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.size() > kMaxValueChars) s = s.substr(0, kMaxValueChars - 3) + "...";
  return s;
}

// What to compare: the live view for metadata documents, the spec itself otherwise.
json Comparable(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return json::object();
  if (j.value("kind", "") == "meta") {
    auto doc = MetadataDocument::FromJson(j);
    if (doc.ok()) return {{"fields", doc->View()}};
  }
  return j;
}

std::string Plural(size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

std::vector<std::string> DiffSpecs(const std::string& before_json, const std::string& after_json) {
  std::map<std::string, json> a, b;
  Flatten(Comparable(before_json), "", &a);
  Flatten(Comparable(after_json), "", &b);
  std::vector<std::string> out;
  for (const auto& [path, v] : b) {
    auto it = a.find(path);
    if (it == a.end()) out.push_back("+" + path + " " + Show(v));
    else if (it->second != v) out.push_back(path + " " + Show(it->second) + " -> " + Show(v));
  }
  for (const auto& [path, v] : a)
    if (!b.count(path)) out.push_back("-" + path);
  return out;
}

std::vector<std::string> DiffFiles(const std::vector<FileEntry>& before,
                                   const std::vector<FileEntry>& after) {
  std::map<std::string, const FileEntry*> old;
  for (const auto& f : before) old[f.path] = &f;
  size_t added = 0, changed = 0;
  for (const auto& f : after) {
    auto it = old.find(f.path);
    if (it == old.end()) {
      ++added;
      continue;
    }
    if (it->second->sha256 != f.sha256 || it->second->mode != f.mode) ++changed;
    old.erase(it);
  }
  std::vector<std::string> out;
  if (added) out.push_back("+" + Plural(added, "file"));
  if (!old.empty()) out.push_back("-" + Plural(old.size(), "file"));
  if (changed) out.push_back(Plural(changed, "file") + " changed");
  return out;
}

std::string SummarizeChange(const Manifest* before, const Manifest& after) {
  std::vector<std::string> parts;
  if (before == nullptr) {
    parts.push_back("created");
    if (!after.files.empty()) parts.push_back(Plural(after.files.size(), "file"));
  } else {
    parts = DiffSpecs(before->spec_json, after.spec_json);
    auto files = DiffFiles(before->files, after.files);
    parts.insert(parts.end(), files.begin(), files.end());
    if (parts.empty()) parts.push_back("no changes");
  }
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += "; ";
    out += p;
  }
  if (out.size() > kMaxSummaryChars) out = out.substr(0, kMaxSummaryChars - 3) + "...";
  return out;
}

}  // namespace edgesync
