// yolo-txt reader: YOLO (darknet / Ultralytics) labels, one text file per image with lines
// "class cx cy w h", coordinates normalised to [0,1].
//
// Label files are the *.txt files under a directory named "labels" when there are any, else
// every *.txt except class-name lists. Each label file is a sample (an empty one is an image
// without objects); each valid line counts one object. Class names come from data.yaml
// ("names:" as a list or an id->name map), else classes.txt / *.names, else the ids themselves.
// Stateless functions; safe for concurrent use on distinct stats.
#pragma once

#include <optional>
#include <string_view>

#include "catalog/formats/class_names.h"
#include "catalog/formats/dataset_stats.h"
#include "catalog/formats/dataset_tree.h"

namespace edgesync::formats {

// Parses one label file held in memory.
void ParseYoloLabels(std::string_view text, std::string_view file,
                     const std::optional<ClassNames>& class_names, DatasetStats& stats);

// Reads the class names of a data.yaml held in memory; nullopt (and a problem) when it has
// no usable "names".
std::optional<ClassNames> ParseYoloDataYaml(std::string_view text, std::string_view file,
                                            DatasetStats& stats);

void ReadYoloTxtDataset(const DatasetTree& tree, DatasetStats& stats);

}  // namespace edgesync::formats
