#include "catalog/formats/class_names.h"

#include "catalog/formats/text_scan.h"

namespace edgesync::formats {

bool IsClassNamesFile(std::string_view path) {
  return BaseName(path) == "classes.txt" || EndsWithIgnoreCase(path, ".names");
}

ClassNames ParseClassNames(std::string_view text) {
  ClassNames names;
  ForEachLine(StripBom(text), [&](uint64_t, std::string_view line) {
    line = Trim(line);
    if (!line.empty()) names.emplace_back(line);
  });
  return names;
}

std::optional<ClassNames> LoadClassNamesFile(const DatasetTree& tree, DatasetStats& stats) {
  auto candidates = tree.Named("classes.txt");
  if (candidates.empty()) candidates = tree.WithExtension(".names");
  if (candidates.empty()) return std::nullopt;
  const TreeFile& file = *candidates.front();
  auto text = tree.Read(file);
  if (!text.ok()) {
    stats.AddProblem(file.path, 0, "cannot read class names: " + text.status().message());
    return std::nullopt;
  }
  return ParseClassNames(*text);
}

std::optional<std::string> ClassNameForId(const std::optional<ClassNames>& names, uint64_t id) {
  if (!names) return std::to_string(id);
  if (id >= names->size()) return std::nullopt;
  return (*names)[id];
}

}  // namespace edgesync::formats
