// DatasetStats: what a dataset format reader found in a dataset tree, and its JSON form.
//
// Readers fill one DatasetStats while walking a tree: sample and object counts, a class
// histogram, file and byte totals, and a bounded list of problems (malformed lines, missing
// files, bad boxes). Strings added through AddClass/AddProblem are made valid UTF-8 so the
// JSON form can always be serialised. Plain value type; needs external synchronization.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync::formats {

// One thing wrong in a dataset: which file, where (a 1-based line or an element path such as
// "annotations[3].category_id"; either may be absent), and what.
struct DatasetProblem {
  std::string file;     // path relative to the dataset root, '/'-separated
  uint64_t line = 0;    // 0 = no line
  std::string element;  // empty = no element
  std::string message;
  bool operator==(const DatasetProblem&) const = default;

  // "file:line: message", "file (element): message" or "file: message".
  std::string ToString() const;
};

struct DatasetStats {
  static constexpr size_t kMaxProblems = 1000;

  std::string format;  // one of the names in format_detect.h
  uint64_t samples = 0;
  std::map<std::string, uint64_t, std::less<>> classes;  // class name -> samples (objects for detection formats)
  std::optional<uint64_t> objects;          // detection formats only: total valid boxes
  uint64_t files = 0;                       // regular files in the tree
  uint64_t bytes = 0;                       // their total size
  std::vector<DatasetProblem> problems;     // the first kMaxProblems
  uint64_t problems_truncated = 0;          // problems seen beyond kMaxProblems
  bool operator==(const DatasetStats&) const = default;

  void AddClass(std::string_view name, uint64_t count = 1);
  void AddObject(std::string_view class_name);  // objects += 1 and the class histogram
  void AddProblem(std::string_view file, uint64_t line, std::string_view message);
  void AddElementProblem(std::string_view file, std::string_view element, std::string_view message);
  uint64_t ProblemCount() const { return problems.size() + problems_truncated; }

  // {"format": ..., "stats": {"samples", "classes", "objects"?, "files", "bytes", "problems",
  //  "problems_truncated"}}; see docs/formats.md.
  nlohmann::json ToJson() const;
  static Result<DatasetStats> FromJson(const nlohmann::json& json);
};

// The fields Sedna's Dataset status carries: {"numberOfSamples": N, "updateTime": update_time}.
// REQUIRES: update_time is an RFC 3339 timestamp chosen by the caller.
nlohmann::json ToSednaDatasetStatus(const DatasetStats& stats, std::string_view update_time);

// Returns `text` with invalid UTF-8 sequences replaced by U+FFFD.
std::string ToValidUtf8(std::string_view text);

}  // namespace edgesync::formats
