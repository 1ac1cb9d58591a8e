#include "catalog/formats/format_detect.h"

#include <algorithm>
#include <map>
#include <vector>

#include "catalog/formats/class_names.h"
#include "catalog/formats/coco_json_reader.h"
#include "catalog/formats/csv_reader.h"
#include "catalog/formats/text_scan.h"
#include "catalog/formats/txt_boxes_reader.h"
#include "catalog/formats/txt_index_reader.h"
#include "catalog/formats/voc_xml_reader.h"
#include "catalog/formats/yolo_txt_reader.h"

namespace edgesync::formats {
namespace {

constexpr uint64_t kTextSniffBytes = 4096;
constexpr uint64_t kJsonSniffBytes = uint64_t{1} << 20;
constexpr size_t kExamplesPerFormat = 3;

std::string FormatNameList() {
  std::string out;
  for (auto name : kDatasetFormatNames) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

bool IsKnownFormat(std::string_view name) {
  return std::find(kDatasetFormatNames.begin(), kDatasetFormatNames.end(), name) != kDatasetFormatNames.end();
}

// The format a .txt file's first non-empty line looks like, or empty.
std::string_view ClassifyTextLine(std::string_view text) {
  std::string_view first;
  ForEachLine(StripBom(text), [&](uint64_t, std::string_view line) {
    if (first.empty()) first = Trim(line);
  });
  std::vector<std::string_view> tokens;
  SplitWhitespace(first, tokens);
  if (tokens.size() < 2) return {};
  uint64_t id = 0;
  double value = 0;
  if (tokens.size() == 5 && ParseUint(tokens[0], id) &&
      std::all_of(tokens.begin() + 1, tokens.end(), [&](auto t) { return ParseFiniteDouble(t, value); }))
    return "yolo-txt";
  if (tokens[1].find(',') != std::string_view::npos) return "txt-boxes";
  if (tokens[0].find_first_of("./") != std::string_view::npos) return "txt-index";
  return {};
}

// The format one file votes for, or empty.
std::string_view Vote(const DatasetTree& tree, const TreeFile& file) {
  const std::string_view path = file.path;
  if (EndsWithIgnoreCase(path, ".csv")) return "csv";
  const bool xml = EndsWithIgnoreCase(path, ".xml");
  const bool json = EndsWithIgnoreCase(path, ".json");
  const bool txt = EndsWithIgnoreCase(path, ".txt") && !IsClassNamesFile(path);
  if (!xml && !json && !txt) return {};
  auto text = tree.Read(file, json ? kJsonSniffBytes : kTextSniffBytes);
  if (!text.ok()) return {};
  if (xml) return text->find("<annotation") != std::string::npos ? "voc-xml" : "";
  if (json)
    return text->find("\"images\"") != std::string::npos || text->find("\"annotations\"") != std::string::npos
               ? "coco-json"
               : "";
  return ClassifyTextLine(*text);
}

Status DispatchReader(const DatasetTree& tree, const DatasetFormatOptions& opts, DatasetStats& stats) {
  const std::string& f = stats.format;
  if (!opts.label_column.empty() && f != "csv")
    return Status::InvalidArgument("a label column applies only to the csv format, not " + f);
  if (f == "csv") ReadCsvDataset(tree, opts.label_column, stats);
  else if (f == "txt-index") ReadTxtIndexDataset(tree, stats);
  else if (f == "txt-boxes") ReadTxtBoxesDataset(tree, stats);
  else if (f == "voc-xml") ReadVocXmlDataset(tree, stats);
  else if (f == "coco-json") ReadCocoJsonDataset(tree, stats);
  else if (f == "yolo-txt") ReadYoloTxtDataset(tree, stats);
  else return Status::InvalidArgument("unknown dataset format '" + f + "'; valid formats: " + FormatNameList());
  return Status::Ok();
}

Status CheckFormatOption(const DatasetFormatOptions& opts) {
  if (!opts.format.empty() && !IsKnownFormat(opts.format))
    return Status::InvalidArgument("unknown dataset format '" + opts.format +
                                   "'; valid formats: " + FormatNameList());
  return Status::Ok();
}

// Detects (unless given) and reads the format over a listed tree; `where` names it in errors.
Result<DatasetStats> StatsOfTreeOrThrow(const DatasetTree& tree, DatasetStats stats, const DatasetFormatOptions& opts,
                                        const std::string& where) {
  stats.format = opts.format;
  if (stats.format.empty()) {
    auto detected = DetectDatasetFormat(tree);
    if (!detected.ok()) return detected.status().WithContext(where);
    stats.format = *detected;
  }
  EDGESYNC_RETURN_IF_ERROR(DispatchReader(tree, opts, stats));
  if (opts.strict && stats.ProblemCount() > 0) {
    std::string message = stats.problems.front().ToString();
    if (stats.ProblemCount() > 1) message += " (and " + std::to_string(stats.ProblemCount() - 1) + " more problems)";
    return Status::InvalidArgument(message);
  }
  return stats;
}

Result<DatasetStats> ComputeStatsOrThrow(const std::filesystem::path& root, const DatasetFormatOptions& opts) {
  EDGESYNC_RETURN_IF_ERROR(CheckFormatOption(opts));
  DatasetStats stats;
  auto tree = DatasetTree::Scan(root, stats);
  if (!tree.ok()) return tree.status();
  return StatsOfTreeOrThrow(*tree, std::move(stats), opts, root.string());
}

}  // namespace

Result<std::string> DetectDatasetFormat(const DatasetTree& tree) {
  std::map<std::string_view, std::vector<std::string_view>> examples;  // format -> example files
  for (const TreeFile& file : tree.files()) {
    const std::string_view format = Vote(tree, file);
    if (format.empty()) continue;
    auto& list = examples[format];
    if (list.size() < kExamplesPerFormat) list.push_back(file.path);
  }
  if (examples.empty())
    return Status::NotFound("no dataset format detected: no *.csv, no VOC *.xml, no COCO *.json and no "
                            "*.txt index or label files; pass one of: " + FormatNameList());
  if (examples.size() == 1) return std::string(examples.begin()->first);
  std::string candidates;
  for (const auto& [format, files] : examples) {
    std::string list;
    for (auto f : files) list += (list.empty() ? "" : ", ") + std::string(f);
    candidates += (candidates.empty() ? "" : "; ") + std::string(format) + " (" + list + ")";
  }
  return Status::InvalidArgument("ambiguous dataset format, the tree matches " + candidates +
                                 "; pass the format explicitly");
}

Result<DatasetStats> ComputeDatasetStats(const std::filesystem::path& root, const DatasetFormatOptions& opts) {
  try {
    return ComputeStatsOrThrow(root, opts);
  } catch (const std::exception& e) {
    return Status::Aborted(std::string("dataset statistics failed: ") + e.what());
  }
}

Result<DatasetStats> ComputeDatasetStats(const DatasetTree& tree, DatasetStats listed,
                                         const DatasetFormatOptions& opts) {
  try {
    EDGESYNC_RETURN_IF_ERROR(CheckFormatOption(opts));
    return StatsOfTreeOrThrow(tree, std::move(listed), opts, "the listed dataset");
  } catch (const std::exception& e) {
    return Status::Aborted(std::string("dataset statistics failed: ") + e.what());
  }
}

}  // namespace edgesync::formats
