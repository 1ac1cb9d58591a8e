// Class-name lists for detection formats that store integer class ids: classes.txt or a
// darknet *.names file, one name per line (blank lines ignored; id = position).
// Stateless functions; safe for concurrent use on distinct stats.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/formats/dataset_stats.h"
#include "catalog/formats/dataset_tree.h"

namespace edgesync::formats {

using ClassNames = std::vector<std::string>;

// True for classes.txt and *.names, which are not annotation files.
bool IsClassNamesFile(std::string_view path);

ClassNames ParseClassNames(std::string_view text);

// Loads the shallowest classes.txt, else the first *.names; nullopt when there is none or it
// cannot be read (then a problem is added).
std::optional<ClassNames> LoadClassNamesFile(const DatasetTree& tree, DatasetStats& stats);

// The name of class `id`: names[id] when a list is given, else the id itself. Returns
// nullopt when a list is given and id is out of its range.
std::optional<std::string> ClassNameForId(const std::optional<ClassNames>& names, uint64_t id);

}  // namespace edgesync::formats
