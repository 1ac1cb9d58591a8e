// txt-boxes reader: the keras-yolo / Sedna helmet-detection index, one image per line followed
// by its boxes, "path x1,y1,x2,y2,class x1,y1,x2,y2,class ...".
//
// Every non-empty line is a sample (an image, possibly without boxes); each valid box counts
// one object of its class. Class ids map to names through classes.txt or *.names when present.
// Bad boxes (wrong field count, non-numeric, x2<x1 or y2<y1, unknown class id) and unsafe or
// missing image paths are reported. Stateless functions; safe for concurrent use on distinct stats.
#pragma once

#include <optional>
#include <string_view>

#include "catalog/formats/class_names.h"
#include "catalog/formats/dataset_stats.h"
#include "catalog/formats/dataset_tree.h"

namespace edgesync::formats {

// Parses one index file held in memory; `file` is its path in `tree` (used for image checks).
void ParseTxtBoxes(std::string_view text, std::string_view file, const DatasetTree& tree,
                   const std::optional<ClassNames>& class_names, DatasetStats& stats);

// Parses every *.txt file of the tree except class-name lists.
void ReadTxtBoxesDataset(const DatasetTree& tree, DatasetStats& stats);

}  // namespace edgesync::formats
