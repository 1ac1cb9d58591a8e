// voc-xml reader: Pascal VOC, one <annotation> XML file per image (usually Annotations/*.xml).
//
// Each file that parses and has an <annotation> root is a sample; each <object> with a
// <name> (and, when it has a <bndbox>, numeric xmin<=xmax and ymin<=ymax) counts one object
// of that class. Malformed XML is reported with the parser's offset and the line it falls on;
// structural problems name the element ("annotation/object[2]/name"). pugixml never expands
// external entities. Stateless functions; safe for concurrent use on distinct stats.
#pragma once

#include <string_view>

#include "catalog/formats/dataset_stats.h"
#include "catalog/formats/dataset_tree.h"

namespace edgesync::formats {

// Parses one annotation held in memory; returns true when it counted as a sample.
bool ParseVocXml(std::string_view text, std::string_view file, DatasetStats& stats);

// Parses every *.xml file of the tree.
void ReadVocXmlDataset(const DatasetTree& tree, DatasetStats& stats);

}  // namespace edgesync::formats
