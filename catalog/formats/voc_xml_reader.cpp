#include "catalog/formats/voc_xml_reader.h"

#include <pugixml.hpp>

#include <string>

#include "catalog/formats/text_scan.h"

namespace edgesync::formats {
namespace {

// Returns the problem with an object's <bndbox>, or an empty string when it is absent or valid.
std::string CheckBndbox(const pugi::xml_node& object) {
  const pugi::xml_node box = object.child("bndbox");
  if (!box) return {};
  const char* names[4] = {"xmin", "ymin", "xmax", "ymax"};
  double values[4];
  for (int i = 0; i < 4; ++i) {
    if (!ParseFiniteDouble(Trim(box.child_value(names[i])), values[i]))
      return std::string("bndbox/") + names[i] + " is missing or not a number";
  }
  if (values[2] < values[0]) return "bndbox xmax < xmin";
  if (values[3] < values[1]) return "bndbox ymax < ymin";
  return {};
}

}  // namespace

bool ParseVocXml(std::string_view text, std::string_view file, DatasetStats& stats) {
  if (!stats.objects) stats.objects = 0;
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(text.data(), text.size());
  if (!parsed) {
    const auto offset = static_cast<size_t>(parsed.offset < 0 ? 0 : parsed.offset);
    stats.AddProblem(file, LineAtOffset(text, offset),
                     "XML parse error at offset " + std::to_string(offset) + ": " + parsed.description());
    return false;
  }
  const pugi::xml_node annotation = doc.child("annotation");
  if (!annotation) {
    stats.AddElementProblem(file, "annotation", "no <annotation> root element");
    return false;
  }
  ++stats.samples;
  size_t index = 0;
  for (const pugi::xml_node& object : annotation.children("object")) {
    const std::string element = "annotation/object[" + std::to_string(++index) + "]";
    const std::string_view name = Trim(object.child_value("name"));
    if (name.empty()) {
      stats.AddElementProblem(file, element + "/name", "object without a class name");
      continue;
    }
    std::string box_problem = CheckBndbox(object);
    if (!box_problem.empty()) {
      stats.AddElementProblem(file, element + "/bndbox", box_problem);
      continue;
    }
    stats.AddObject(name);
  }
  return true;
}

void ReadVocXmlDataset(const DatasetTree& tree, DatasetStats& stats) {
  if (!stats.objects) stats.objects = 0;
  for (const TreeFile* file : tree.WithExtension(".xml")) {
    auto text = tree.Read(*file);
    if (!text.ok()) {
      stats.AddProblem(file->path, 0, text.status().message());
      continue;
    }
    ParseVocXml(*text, file->path, stats);
  }
}

}  // namespace edgesync::formats
