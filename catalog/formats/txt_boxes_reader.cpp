#include "catalog/formats/txt_boxes_reader.h"

#include <vector>

#include "catalog/formats/text_scan.h"

namespace edgesync::formats {
namespace {

// Checks one "x1,y1,x2,y2,class" token; returns the problem or an empty string and the name.
std::string CheckBox(std::string_view token, const std::optional<ClassNames>& class_names,
                     std::vector<std::string_view>& fields, std::string& class_name) {
  SplitOn(token, ',', fields);
  if (fields.size() != 5) return "expected x1,y1,x2,y2,class, got " + Excerpt(token);
  double coords[4];
  for (int i = 0; i < 4; ++i)
    if (!ParseFiniteDouble(fields[i], coords[i])) return "non-numeric coordinate in " + Excerpt(token);
  uint64_t id = 0;
  if (!ParseUint(fields[4], id)) return "class id must be a non-negative integer in " + Excerpt(token);
  if (coords[2] < coords[0]) return "x2 < x1 in " + Excerpt(token);
  if (coords[3] < coords[1]) return "y2 < y1 in " + Excerpt(token);
  auto name = ClassNameForId(class_names, id);
  if (!name)
    return "class id " + std::to_string(id) + " is not in the class list (" +
           std::to_string(class_names->size()) + " names)";
  class_name = std::move(*name);
  return {};
}

}  // namespace

void ParseTxtBoxes(std::string_view text, std::string_view file, const DatasetTree& tree,
                   const std::optional<ClassNames>& class_names, DatasetStats& stats) {
  if (!stats.objects) stats.objects = 0;
  std::vector<std::string_view> tokens, fields;
  std::string class_name;
  ForEachLine(StripBom(text), [&](uint64_t number, std::string_view line) {
    SplitWhitespace(line, tokens);
    if (tokens.empty()) return;
    ++stats.samples;
    std::string problem = tree.CheckReference(file, tokens[0]);
    if (!problem.empty()) stats.AddProblem(file, number, problem);
    for (size_t i = 1; i < tokens.size(); ++i) {
      problem = CheckBox(tokens[i], class_names, fields, class_name);
      if (problem.empty())
        stats.AddObject(class_name);
      else
        stats.AddProblem(file, number, "box " + std::to_string(i) + ": " + problem);
    }
  });
}

void ReadTxtBoxesDataset(const DatasetTree& tree, DatasetStats& stats) {
  if (!stats.objects) stats.objects = 0;
  const std::optional<ClassNames> class_names = LoadClassNamesFile(tree, stats);
  for (const TreeFile* file : tree.WithExtension(".txt")) {
    if (IsClassNamesFile(file->path)) continue;
    auto text = tree.Read(*file);
    if (!text.ok()) {
      stats.AddProblem(file->path, 0, text.status().message());
      continue;
    }
    ParseTxtBoxes(*text, file->path, tree, class_names, stats);
  }
}

}  // namespace edgesync::formats
