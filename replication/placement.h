// Selective sync rules: which keys a node subscribes to, and which files of a joint-inference
// model are placed on it. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace edgesync::replication {

// True when `key` matches one of the globs (fnmatch, `*` crosses '/'); an empty list means
// everything.
bool Subscribed(const std::vector<std::string>& globs, const std::string& key);

// A joint model's parts split by whether their placement labels are all among a node's labels.
// Both empty for a model without parts (or an object without a model spec).
struct PartPlacement {
  std::vector<std::string> placed;     // part names
  std::vector<std::string> elsewhere;  // part names
};
PartPlacement PlaceParts(const Manifest& manifest, const std::map<std::string, std::string>& labels);

// For a model whose spec has parts, accepts the files of parts whose placement labels are all
// among `labels` (and files outside any part); otherwise empty, meaning every file.
Store::FileFilter PlacementFilter(const Manifest& manifest, const std::map<std::string, std::string>& labels);

}  // namespace edgesync::replication
