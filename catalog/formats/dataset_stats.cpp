#include "catalog/formats/dataset_stats.h"

namespace edgesync::formats {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t ValidSequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return len;
}

Result<uint64_t> CountField(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_unsigned())
    return Status::InvalidArgument(std::string("stats.") + key + " must be a non-negative integer");
  return it->get<uint64_t>();
}

Result<DatasetProblem> ProblemFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("stats.problems entries must be objects");
  DatasetProblem p;
  auto file = j.find("file");
  auto message = j.find("message");
  if (file == j.end() || !file->is_string() || message == j.end() || !message->is_string())
    return Status::InvalidArgument("stats.problems entries need string 'file' and 'message'");
  p.file = file->get<std::string>();
  p.message = message->get<std::string>();
  if (auto line = j.find("line"); line != j.end()) {
    if (!line->is_number_unsigned()) return Status::InvalidArgument("problem 'line' must be a positive integer");
    p.line = line->get<uint64_t>();
  }
  if (auto element = j.find("element"); element != j.end()) {
    if (!element->is_string()) return Status::InvalidArgument("problem 'element' must be a string");
    p.element = element->get<std::string>();
  }
  return p;
}

}  // namespace

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t len = ValidSequenceLength(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string DatasetProblem::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  else if (!element.empty()) out += " (" + element + ")";
  return out + ": " + message;
}

void DatasetStats::AddClass(std::string_view name, uint64_t count) {
  auto it = classes.find(name);
  if (it != classes.end()) {
    it->second += count;
    return;
  }
  classes[ToValidUtf8(name)] += count;
}

void DatasetStats::AddObject(std::string_view class_name) {
  objects = objects.value_or(0) + 1;
  AddClass(class_name);
}

void DatasetStats::AddProblem(std::string_view file, uint64_t line, std::string_view message) {
  if (problems.size() >= kMaxProblems) {
    ++problems_truncated;
    return;
  }
  problems.push_back({ToValidUtf8(file), line, "", ToValidUtf8(message)});
}

void DatasetStats::AddElementProblem(std::string_view file, std::string_view element,
                                     std::string_view message) {
  if (problems.size() >= kMaxProblems) {
    ++problems_truncated;
    return;
  }
  problems.push_back({ToValidUtf8(file), 0, ToValidUtf8(element), ToValidUtf8(message)});
}

nlohmann::json DatasetStats::ToJson() const {
  nlohmann::json problem_list = nlohmann::json::array();
  for (const auto& p : problems) {
    nlohmann::json entry = {{"file", p.file}, {"message", p.message}};
    if (p.line > 0) entry["line"] = p.line;
    if (!p.element.empty()) entry["element"] = p.element;
    problem_list.push_back(std::move(entry));
  }
  nlohmann::json stats = {
      {"samples", samples},
      {"classes", classes},
      {"files", files},
      {"bytes", bytes},
      {"problems", std::move(problem_list)},
      {"problems_truncated", problems_truncated},
  };
  if (objects) stats["objects"] = *objects;
  return {{"format", format}, {"stats", std::move(stats)}};
}

Result<DatasetStats> DatasetStats::FromJson(const nlohmann::json& json) {
  if (!json.is_object()) return Status::InvalidArgument("dataset stats must be a JSON object");
  auto format = json.find("format");
  auto stats = json.find("stats");
  if (format == json.end() || !format->is_string())
    return Status::InvalidArgument("dataset stats need a string 'format'");
  if (stats == json.end() || !stats->is_object())
    return Status::InvalidArgument("dataset stats need an object 'stats'");
  DatasetStats out;
  out.format = format->get<std::string>();
  const auto read_count = [&](const char* key, uint64_t& field) -> Status {
    auto value = CountField(*stats, key);
    if (!value.ok()) return value.status();
    field = *value;
    return Status::Ok();
  };
  EDGESYNC_RETURN_IF_ERROR(read_count("samples", out.samples));
  EDGESYNC_RETURN_IF_ERROR(read_count("files", out.files));
  EDGESYNC_RETURN_IF_ERROR(read_count("bytes", out.bytes));
  if (stats->contains("problems_truncated"))
    EDGESYNC_RETURN_IF_ERROR(read_count("problems_truncated", out.problems_truncated));
  if (stats->contains("objects")) {
    uint64_t objects = 0;
    EDGESYNC_RETURN_IF_ERROR(read_count("objects", objects));
    out.objects = objects;
  }
  auto classes = stats->find("classes");
  if (classes == stats->end() || !classes->is_object())
    return Status::InvalidArgument("stats.classes must be an object");
  for (const auto& [name, count] : classes->items()) {
    if (!count.is_number_unsigned())
      return Status::InvalidArgument("stats.classes['" + name + "'] must be a non-negative integer");
    out.classes[name] = count.get<uint64_t>();
  }
  auto problems = stats->find("problems");
  if (problems == stats->end() || !problems->is_array())
    return Status::InvalidArgument("stats.problems must be an array");
  for (const auto& entry : *problems) {
    auto problem = ProblemFromJson(entry);
    if (!problem.ok()) return problem.status();
    out.problems.push_back(std::move(problem).value());
  }
  return out;
}

nlohmann::json ToSednaDatasetStatus(const DatasetStats& stats, std::string_view update_time) {
  return {{"numberOfSamples", stats.samples}, {"updateTime", std::string(update_time)}};
}

}  // namespace edgesync::formats
