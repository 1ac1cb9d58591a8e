// txt-index reader: Sedna's image-classification index, one "relative/path label" per line.
//
// Every non-empty line is a sample; the last whitespace-separated token is the label (paths
// may contain spaces). A referenced file must be a safe relative path naming a file of the
// tree, beside the index file or else under the root; traversal and absolute paths are
// reported and never resolved. Stateless functions; safe for concurrent use on distinct stats.
#pragma once

#include <string_view>

#include "catalog/formats/dataset_stats.h"
#include "catalog/formats/dataset_tree.h"

namespace edgesync::formats {

// Parses one index file held in memory; `file` is its path in `tree`, which answers the
// missing-file checks (an empty tree reports every reference as missing).
void ParseTxtIndex(std::string_view text, std::string_view file, const DatasetTree& tree,
                   DatasetStats& stats);

// Parses every *.txt file of the tree except class-name lists (classes.txt).
void ReadTxtIndexDataset(const DatasetTree& tree, DatasetStats& stats);

}  // namespace edgesync::formats
