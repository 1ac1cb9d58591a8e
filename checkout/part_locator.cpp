#include "checkout/part_locator.h"

#include "catalog/model_spec.h"

namespace edgesync {
namespace {

bool Fits(const PartLocator::Labels& placement, const PartLocator::Labels& labels) {
  for (const auto& [key, value] : placement) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

std::string LabelsText(const PartLocator::Labels& labels) {
  if (labels.empty()) return "no labels";
  std::string text;
  for (const auto& [key, value] : labels) text += (text.empty() ? "" : ",") + key + "=" + value;
  return text;
}

}  // namespace

PartLocator::PartLocator(Store& store, std::function<Labels()> node_labels, HoldersFn holders)
    : store_(store), node_labels_(std::move(node_labels)), holders_(std::move(holders)) {}

Status PartLocator::Explain(const VersionInfo& version, std::string_view prefix,
                            Status failure) const {
  if (failure.code() != Status::Code::kNotFound || version.record.tombstone) return failure;
  Result<Manifest> manifest = store_.ReadManifest(version.record.manifest_id);
  if (!manifest.ok()) return failure;
  Result<ModelSpec> spec = ModelSpec::Parse(manifest->spec_json);
  if (!spec.ok()) return failure;
  const Labels labels = node_labels_ ? node_labels_() : Labels{};
  for (const auto& [name, part] : spec->parts) {
    const std::string part_prefix = name + "/";
    // The part is selected when the prefix lies inside it or the part lies inside the prefix.
    bool selected = part_prefix.compare(0, prefix.size(), prefix) == 0 ||
                    prefix.compare(0, part_prefix.size(), part_prefix) == 0;
    if (!selected || Fits(part.placement, labels) || PartPresent(*manifest, part_prefix)) continue;
    return Status::NotFound("part '" + name + "' of " + version.key + " version " + version.id +
                            " is not placed on this node: it needs " + LabelsText(part.placement) +
                            ", this node has " + LabelsText(labels) + "; " +
                            PeersHolding(version, part.placement));
  }
  return failure;
}

bool PartLocator::PartPresent(const Manifest& manifest, const std::string& part_prefix) const {
  for (const FileEntry& file : manifest.files) {
    if (file.path.compare(0, part_prefix.size(), part_prefix) != 0) continue;
    for (const auto& chunk : file.chunks) {
      Result<bool> present = store_.chunks().Contains(chunk.id);
      if (!present.ok() || !*present) return false;
    }
  }
  return true;
}

std::string PartLocator::PeersHolding(const VersionInfo& version, const Labels& placement) const {
  std::string fitting, others;
  if (holders_) {
    for (const replication::PeerHolding& peer : holders_(version.key, version.id)) {
      if (!peer.holds) continue;
      const bool fits = Fits(placement, peer.labels);
      std::string& list = fits ? fitting : others;
      list += (list.empty() ? "" : ", ") + peer.node_id + " (" +
              (peer.connected ? "connected" : "not connected") +
              (fits ? ", labels fit the part)" : ")");
    }
  }
  if (fitting.empty() && others.empty()) return "no peer known to this node holds this version";
  return "peers holding this version: " + fitting + (fitting.empty() || others.empty() ? "" : ", ") +
         others;
}

}  // namespace edgesync
