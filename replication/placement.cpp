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

PartPlacement PlaceParts(const Manifest& manifest, const std::map<std::string, std::string>& labels) {
  PartPlacement placement;
  auto spec = ModelSpec::Parse(manifest.spec_json);
  if (!spec.ok()) return placement;
  for (const auto& [name, part] : spec->parts) {
    bool match = true;
    for (const auto& [k, v] : part.placement) {
      auto it = labels.find(k);
      match = match && it != labels.end() && it->second == v;
    }
    (match ? placement.placed : placement.elsewhere).push_back(name);
  }
  return placement;
}

Store::FileFilter PlacementFilter(const Manifest& manifest, const std::map<std::string, std::string>& labels) {
  std::vector<std::string> elsewhere = PlaceParts(manifest, labels).elsewhere;
  if (elsewhere.empty()) return {};
  for (std::string& part : elsewhere) part += "/";
  return [elsewhere](const FileEntry& f) {
    for (const auto& prefix : elsewhere)
      if (f.path.compare(0, prefix.size(), prefix) == 0) return false;
    return true;
  };
}

}  // namespace edgesync::replication
