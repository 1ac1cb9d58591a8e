// coco-json reader: COCO detection annotations, JSON objects with "images", "annotations"
// and "categories" arrays.
//
// A *.json file is an annotation file when it is an object holding an "images" or an
// "annotations" array; other JSON files are ignored, unparseable ones are reported (byte
// offset and line). Samples are the entries of "images"; each annotation whose category_id
// names a category counts one object of that category's name. Unknown category or image ids
// and malformed entries are reported by element ("annotations[3].category_id").
// Stateless functions; safe for concurrent use on distinct stats.
#pragma once

#include <string_view>

#include "catalog/formats/dataset_stats.h"
#include "catalog/formats/dataset_tree.h"

namespace edgesync::formats {

// Parses one JSON file held in memory; returns true when it was a COCO annotation file.
bool ParseCocoJson(std::string_view text, std::string_view file, DatasetStats& stats);

// Parses every *.json file of the tree.
void ReadCocoJsonDataset(const DatasetTree& tree, DatasetStats& stats);

}  // namespace edgesync::formats
