// CSV reader (RFC 4180): quoted fields with commas, doubled quotes and line breaks, CRLF or
// LF line endings, an optional UTF-8 byte order mark. The first record is the header; every
// later record is a sample; blank lines are skipped. With a label column, its values form the
// class histogram. Stateless functions; safe for concurrent use on distinct DatasetStats.
#pragma once

#include <string_view>

#include "catalog/formats/dataset_stats.h"
#include "catalog/formats/dataset_tree.h"

namespace edgesync::formats {

// Parses one CSV file held in memory; `file` names it in problems. An empty label_column
// means no class histogram.
void ParseCsv(std::string_view text, std::string_view file, std::string_view label_column,
              DatasetStats& stats);

// Parses every *.csv file of the tree.
void ReadCsvDataset(const DatasetTree& tree, std::string_view label_column, DatasetStats& stats);

}  // namespace edgesync::formats
