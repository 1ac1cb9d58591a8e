#include "catalog/formats/yolo_txt_reader.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "catalog/formats/text_scan.h"

namespace edgesync::formats {
namespace {

// Returns the problem with one label line's fields, or an empty string and the class name.
std::string CheckLabel(const std::vector<std::string_view>& fields,
                       const std::optional<ClassNames>& class_names, std::string& class_name) {
  static const char* const kNames[4] = {"cx", "cy", "w", "h"};
  if (fields.size() != 5)
    return "expected 'class cx cy w h' (5 fields), got " + std::to_string(fields.size());
  uint64_t id = 0;
  if (!ParseUint(fields[0], id)) return "class id " + Excerpt(fields[0]) + " is not a non-negative integer";
  for (int i = 0; i < 4; ++i) {
    double value = 0;
    if (!ParseFiniteDouble(fields[i + 1], value))
      return std::string(kNames[i]) + " " + Excerpt(fields[i + 1]) + " is not a number";
    if (value < 0.0 || value > 1.0)
      return std::string(kNames[i]) + " " + std::string(fields[i + 1]) + " is outside [0,1]";
  }
  auto name = ClassNameForId(class_names, id);
  if (!name)
    return "class id " + std::to_string(id) + " is out of range (" + std::to_string(class_names->size()) +
           " class names)";
  class_name = std::move(*name);
  return {};
}

std::optional<ClassNames> NamesFromYaml(const YAML::Node& names, std::string_view file, DatasetStats& stats) {
  ClassNames out;
  if (names.IsSequence()) {
    for (const auto& name : names) out.push_back(name.as<std::string>());
    return out;
  }
  if (!names.IsMap()) {
    stats.AddElementProblem(file, "names", "must be a list or a map of id to name");
    return std::nullopt;
  }
  std::map<uint64_t, std::string> by_id;
  for (const auto& entry : names) {
    uint64_t id = 0;
    if (!ParseUint(entry.first.as<std::string>(), id)) {
      stats.AddElementProblem(file, "names", "map key " + Excerpt(entry.first.as<std::string>()) +
                                                 " is not a class id");
      return std::nullopt;
    }
    by_id[id] = entry.second.as<std::string>();
  }
  for (const auto& [id, name] : by_id) {
    if (id != out.size()) {
      stats.AddElementProblem(file, "names", "class ids must be 0.." + std::to_string(by_id.size() - 1));
      return std::nullopt;
    }
    out.push_back(name);
  }
  return out;
}

bool UnderLabelsDirectory(std::string_view path) {
  return path.starts_with("labels/") || path.find("/labels/") != std::string_view::npos;
}

std::optional<ClassNames> LoadYoloClassNames(const DatasetTree& tree, DatasetStats& stats) {
  auto yaml_files = tree.Named("data.yaml");
  if (yaml_files.empty()) yaml_files = tree.Named("data.yml");
  if (yaml_files.empty()) return LoadClassNamesFile(tree, stats);
  auto text = tree.Read(*yaml_files.front());
  if (!text.ok()) {
    stats.AddProblem(yaml_files.front()->path, 0, text.status().message());
    return std::nullopt;
  }
  return ParseYoloDataYaml(*text, yaml_files.front()->path, stats);
}

}  // namespace

void ParseYoloLabels(std::string_view text, std::string_view file,
                     const std::optional<ClassNames>& class_names, DatasetStats& stats) {
  if (!stats.objects) stats.objects = 0;
  ++stats.samples;
  std::vector<std::string_view> fields;
  std::string class_name;
  ForEachLine(StripBom(text), [&](uint64_t number, std::string_view line) {
    SplitWhitespace(line, fields);
    if (fields.empty()) return;
    std::string problem = CheckLabel(fields, class_names, class_name);
    if (problem.empty())
      stats.AddObject(class_name);
    else
      stats.AddProblem(file, number, problem);
  });
}

std::optional<ClassNames> ParseYoloDataYaml(std::string_view text, std::string_view file,
                                            DatasetStats& stats) {
  try {
    const YAML::Node doc = YAML::Load(std::string(text));
    const YAML::Node names = doc.IsMap() ? doc["names"] : YAML::Node();
    if (!names) {
      stats.AddElementProblem(file, "names", "no 'names' entry");
      return std::nullopt;
    }
    auto out = NamesFromYaml(names, file, stats);
    const YAML::Node count = doc["nc"];
    if (out && count && count.IsScalar()) {
      uint64_t nc = 0;
      if (!ParseUint(count.Scalar(), nc) || nc != out->size())
        stats.AddElementProblem(file, "nc", "nc " + Excerpt(count.Scalar()) + " does not match the " +
                                                std::to_string(out->size()) + " names");
    }
    return out;
  } catch (const YAML::Exception& e) {
    stats.AddProblem(file, e.mark.is_null() ? 0 : static_cast<uint64_t>(e.mark.line) + 1,
                     "YAML error: " + e.msg);
  } catch (const std::exception& e) {
    stats.AddProblem(file, 0, std::string("YAML error: ") + e.what());
  }
  return std::nullopt;
}

void ReadYoloTxtDataset(const DatasetTree& tree, DatasetStats& stats) {
  if (!stats.objects) stats.objects = 0;
  const std::optional<ClassNames> class_names = LoadYoloClassNames(tree, stats);
  auto candidates = tree.WithExtension(".txt");
  bool has_labels_directory = false;
  for (const TreeFile* file : candidates) has_labels_directory |= UnderLabelsDirectory(file->path);
  for (const TreeFile* file : candidates) {
    if (IsClassNamesFile(file->path)) continue;
    if (has_labels_directory && !UnderLabelsDirectory(file->path)) continue;
    auto text = tree.Read(*file);
    if (!text.ok()) {
      stats.AddProblem(file->path, 0, text.status().message());
      continue;
    }
    ParseYoloLabels(*text, file->path, class_names, stats);
  }
}

}  // namespace edgesync::formats
