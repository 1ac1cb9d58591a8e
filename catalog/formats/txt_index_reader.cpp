#include "catalog/formats/txt_index_reader.h"

#include "catalog/formats/class_names.h"
#include "catalog/formats/text_scan.h"

namespace edgesync::formats {
namespace {

// Splits "path with spaces label" at its last run of whitespace.
bool SplitPathAndLabel(std::string_view line, std::string_view& path, std::string_view& label) {
  size_t label_start = line.size();
  while (label_start > 0 && !IsSpace(line[label_start - 1])) --label_start;
  if (label_start == 0) return false;
  label = line.substr(label_start);
  path = Trim(line.substr(0, label_start));
  return !path.empty();
}

}  // namespace

void ParseTxtIndex(std::string_view text, std::string_view file, const DatasetTree& tree,
                   DatasetStats& stats) {
  ForEachLine(StripBom(text), [&](uint64_t number, std::string_view raw) {
    const std::string_view line = Trim(raw);
    if (line.empty()) return;
    ++stats.samples;
    std::string_view path, label;
    if (!SplitPathAndLabel(line, path, label)) {
      stats.AddProblem(file, number, "expected '<relative/path> <label>', got " + Excerpt(line));
      return;
    }
    stats.AddClass(label);
    std::string problem = tree.CheckReference(file, path);
    if (!problem.empty()) stats.AddProblem(file, number, problem);
  });
}

void ReadTxtIndexDataset(const DatasetTree& tree, DatasetStats& stats) {
  for (const TreeFile* file : tree.WithExtension(".txt")) {
    if (IsClassNamesFile(file->path)) continue;
    auto text = tree.Read(*file);
    if (!text.ok()) {
      stats.AddProblem(file->path, 0, text.status().message());
      continue;
    }
    ParseTxtIndex(*text, file->path, tree, stats);
  }
}

}  // namespace edgesync::formats
