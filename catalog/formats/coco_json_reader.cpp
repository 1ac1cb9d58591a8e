#include "catalog/formats/coco_json_reader.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "catalog/formats/text_scan.h"

namespace edgesync::formats {
namespace {

using nlohmann::json;

std::string Indexed(const char* array, size_t index) {
  return std::string(array) + "[" + std::to_string(index) + "]";
}

const json* ArrayMember(const json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_array() ? &*it : nullptr;
}

bool IntegerMember(const json& entry, const char* key, int64_t& value) {
  auto it = entry.find(key);
  if (it == entry.end() || !it->is_number_integer()) return false;
  value = it->get<int64_t>();
  return true;
}

std::unordered_map<int64_t, std::string> ReadCategories(const json& doc, std::string_view file,
                                                        DatasetStats& stats) {
  std::unordered_map<int64_t, std::string> names;
  const json* categories = ArrayMember(doc, "categories");
  if (!categories) {
    if (doc.contains("annotations"))
      stats.AddElementProblem(file, "categories", "missing or not an array");
    return names;
  }
  for (size_t i = 0; i < categories->size(); ++i) {
    const json& entry = (*categories)[i];
    int64_t id = 0;
    auto name = entry.is_object() ? entry.find("name") : entry.end();
    if (!entry.is_object() || !IntegerMember(entry, "id", id) || name == entry.end() || !name->is_string()) {
      stats.AddElementProblem(file, Indexed("categories", i), "needs an integer 'id' and a string 'name'");
      continue;
    }
    if (!names.emplace(id, name->get<std::string>()).second)
      stats.AddElementProblem(file, Indexed("categories", i), "duplicate category id " + std::to_string(id));
  }
  return names;
}

std::unordered_set<int64_t> ReadImages(const json& doc, std::string_view file, DatasetStats& stats) {
  std::unordered_set<int64_t> ids;
  const json* images = ArrayMember(doc, "images");
  if (!images) return ids;
  for (size_t i = 0; i < images->size(); ++i) {
    int64_t id = 0;
    if (!(*images)[i].is_object() || !IntegerMember((*images)[i], "id", id)) {
      stats.AddElementProblem(file, Indexed("images", i), "needs an integer 'id'");
      continue;
    }
    ++stats.samples;
    ids.insert(id);
  }
  return ids;
}

void ReadAnnotations(const json& doc, std::string_view file,
                     const std::unordered_map<int64_t, std::string>& categories,
                     const std::unordered_set<int64_t>& image_ids, DatasetStats& stats) {
  const json* annotations = ArrayMember(doc, "annotations");
  if (!annotations) return;
  const bool check_images = ArrayMember(doc, "images") != nullptr;
  for (size_t i = 0; i < annotations->size(); ++i) {
    const json& entry = (*annotations)[i];
    const std::string element = Indexed("annotations", i);
    int64_t category_id = 0, image_id = 0;
    if (!entry.is_object() || !IntegerMember(entry, "category_id", category_id)) {
      stats.AddElementProblem(file, element + ".category_id", "missing or not an integer");
      continue;
    }
    auto category = categories.find(category_id);
    if (category == categories.end()) {
      stats.AddElementProblem(file, element + ".category_id",
                              "unknown category id " + std::to_string(category_id));
      continue;
    }
    if (check_images && (!IntegerMember(entry, "image_id", image_id) || !image_ids.contains(image_id)))
      stats.AddElementProblem(file, element + ".image_id", "missing or not the id of an entry in 'images'");
    stats.AddObject(category->second);
  }
}

}  // namespace

bool ParseCocoJson(std::string_view text, std::string_view file, DatasetStats& stats) {
  if (!stats.objects) stats.objects = 0;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    std::string what = e.what();
    if (what.size() > 200) what = what.substr(0, 200) + "...";
    stats.AddProblem(file, LineAtOffset(text, offset),
                     "JSON parse error at byte " + std::to_string(offset) + ": " + what);
    return false;
  } catch (const json::exception& e) {  // e.g. out_of_range for a number too large for a double
    std::string what = e.what();
    if (what.size() > 200) what = what.substr(0, 200) + "...";
    stats.AddProblem(file, 0, "JSON parse error: " + what);
    return false;
  }
  if (!doc.is_object() || (!ArrayMember(doc, "images") && !ArrayMember(doc, "annotations"))) return false;
  const auto categories = ReadCategories(doc, file, stats);
  const auto image_ids = ReadImages(doc, file, stats);
  ReadAnnotations(doc, file, categories, image_ids, stats);
  return true;
}

void ReadCocoJsonDataset(const DatasetTree& tree, DatasetStats& stats) {
  if (!stats.objects) stats.objects = 0;
  for (const TreeFile* file : tree.WithExtension(".json")) {
    auto text = tree.Read(*file);
    if (!text.ok()) {
      stats.AddProblem(file->path, 0, text.status().message());
      continue;
    }
    ParseCocoJson(*text, file->path, stats);
  }
}

}  // namespace edgesync::formats
