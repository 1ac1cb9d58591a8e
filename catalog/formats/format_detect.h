// Entry point for dataset statistics: picks the format (given or detected from the tree's
// content) and runs its reader over a dataset directory.
//
// Detection looks at each candidate file's beginning: *.csv votes csv, *.xml with an
// <annotation> element votes voc-xml, *.json mentioning "images" or "annotations" votes
// coco-json, and the first non-empty line of each *.txt (class-name lists aside) votes
// yolo-txt ("0 0.5 0.5 0.1 0.1"), txt-boxes ("a.jpg 1,2,3,4,0") or txt-index ("a/b.jpg cat").
// Exactly one format must get votes. Stateless functions; safe for concurrent use.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "catalog/formats/dataset_stats.h"
#include "catalog/formats/dataset_tree.h"
#include "base/status.h"

namespace edgesync::formats {

inline constexpr std::array<std::string_view, 6> kDatasetFormatNames = {
    "csv", "txt-index", "txt-boxes", "voc-xml", "coco-json", "yolo-txt"};

struct DatasetFormatOptions {
  std::string format;        // one of kDatasetFormatNames; empty = detect from the tree
  std::string label_column;  // csv only: header name of the class label column
  bool strict = false;       // any problem makes the call fail
};

// The single format the tree's files vote for. InvalidArgument listing the candidates (with
// example files) when several match, NotFound when none does.
Result<std::string> DetectDatasetFormat(const DatasetTree& tree);

// Statistics of the dataset under `root`. Without strict, problems are part of the result;
// with strict, any problem gives InvalidArgument naming the first one ("file:line: message").
// Unknown format names and undetectable trees give InvalidArgument / NotFound. Never throws.
Result<DatasetStats> ComputeDatasetStats(const std::filesystem::path& root, const DatasetFormatOptions& opts);
// The same over a tree already listed (DatasetTree::FromListing), whose listing already added
// its files and bytes to `listed`.
Result<DatasetStats> ComputeDatasetStats(const DatasetTree& tree, DatasetStats listed,
                                         const DatasetFormatOptions& opts);

}  // namespace edgesync::formats
