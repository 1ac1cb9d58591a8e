#include "replication/placement.h"

#include <fnmatch.h>

#include "catalog/model_spec.h"

namespace edgesync::replication {

bool Subscribed(const std::vector<std::string>& globs, const std::string& key) {
  if (globs.empty()) return true;
  for (const auto& g : globs)
    if (fnmatch(g.c_str(), key.c_str(), 0) == 0) return true;
  return false;
}

Store::FileFilter PlacementFilter(const Manifest& manifest, const std::map<std::string, std::string>& labels) {
  auto spec = ModelSpec::Parse(manifest.spec_json);
  if (!spec.ok() || spec->parts.empty()) return {};
  std::vector<std::string> placed, elsewhere;
  for (const auto& [name, part] : spec->parts) {
    bool match = true;
    for (const auto& [k, v] : part.placement) {
      auto it = labels.find(k);
      match = match && it != labels.end() && it->second == v;
    }
    (match ? placed : elsewhere).push_back(name + "/");
  }
  if (elsewhere.empty()) return {};
  return [elsewhere](const FileEntry& f) {
    for (const auto& prefix : elsewhere)
      if (f.path.compare(0, prefix.size(), prefix) == 0) return false;
    return true;
  };
}

}  // namespace edgesync::replication
