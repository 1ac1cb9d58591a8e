// bench_formats: how fast ComputeDatasetStats reads a 100,000-line txt-index and 10,000
// Pascal VOC annotation files. Generates both trees in a temp directory, runs each case three
// times and prints the median, then one JSON line with every figure.
//
// What is measured (wall clock, end to end through the public API, explicit format):
//   txt_index_*: scanning a tree of 100,000 empty image files plus the index, parsing the index
//                and checking every referenced path against the tree.
//   voc_*:       scanning 10,000 .xml files, reading and parsing each with pugixml.
//   *_detect_*:  the same with format auto-detection (reads the start of candidate files first).
//   txt_index_parse_lines_per_s: ParseTxtIndex alone on the in-memory index (no filesystem).
// Exit code 1 when a result has the wrong counts (the figures would mean nothing).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/formats/format_detect.h"
#include "catalog/formats/txt_index_reader.h"

namespace fs = std::filesystem;
using edgesync::formats::ComputeDatasetStats;
using edgesync::formats::DatasetFormatOptions;
using edgesync::formats::DatasetStats;

namespace {

constexpr int kIndexLines = 100000;
constexpr int kVocFiles = 10000;
constexpr int kRuns = 3;

void WriteFile(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string MakeIndex(const fs::path& root) {
  std::string index;
  for (int dir = 0; dir < kIndexLines / 1000; ++dir) fs::create_directories(root / "images" / std::to_string(dir));
  for (int i = 0; i < kIndexLines; ++i) {
    std::string rel = "images/" + std::to_string(i / 1000) + "/img_" + std::to_string(i) + ".jpg";
    WriteFile(root / rel, "");
    index += rel + " class_" + std::to_string(i % 10) + "\n";
  }
  WriteFile(root / "train.txt", index);
  return index;
}

void MakeVoc(const fs::path& root) {
  fs::create_directories(root / "Annotations");
  for (int i = 0; i < kVocFiles; ++i) {
    std::string xml = "<annotation>\n  <folder>VOC</folder>\n  <filename>" + std::to_string(i) +
                      ".jpg</filename>\n  <size><width>640</width><height>480</height><depth>3</depth></size>\n";
    for (int k = 0; k < 3; ++k)
      xml += "  <object>\n    <name>" + std::string(k == 0 ? "helmet" : "head") +
             "</name>\n    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n    <difficult>0</difficult>\n"
             "    <bndbox><xmin>10</xmin><ymin>20</ymin><xmax>110</xmax><ymax>220</ymax></bndbox>\n  </object>\n";
    xml += "</annotation>\n";
    WriteFile(root / "Annotations" / (std::to_string(i) + ".xml"), xml);
  }
}

// Median items per second over kRuns runs of `run`, which returns false on a wrong result.
uint64_t MedianRate(const char* name, double items, const std::function<bool()>& run) {
  std::vector<double> rates;
  for (int i = 0; i < kRuns; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (!run()) {
      std::fprintf(stderr, "%s: wrong result\n", name);
      std::exit(1);
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    rates.push_back(items / elapsed.count());
  }
  std::sort(rates.begin(), rates.end());
  const auto median = static_cast<uint64_t>(rates[kRuns / 2]);
  std::printf("%s %llu\n", name, static_cast<unsigned long long>(median));
  std::fflush(stdout);
  return median;
}

bool CheckStats(const fs::path& root, const std::string& format, uint64_t samples) {
  auto stats = ComputeDatasetStats(root, DatasetFormatOptions{format, "", true});
  if (!stats.ok()) std::fprintf(stderr, "%s\n", stats.status().ToString().c_str());
  return stats.ok() && stats->samples == samples;
}

}  // namespace

int main() {
  std::string pattern = (fs::temp_directory_path() / "bench-formats-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) return 2;
  const fs::path base = pattern;
  const fs::path index_root = base / "index", voc_root = base / "voc";
  std::printf("generating %d image files + index and %d VOC files in %s\n", kIndexLines, kVocFiles, base.c_str());
  const std::string index = MakeIndex(index_root);
  MakeVoc(voc_root);

  nlohmann::json summary;
  summary["txt_index_lines_per_s"] = MedianRate("txt_index_lines_per_s", kIndexLines,
                                                [&] { return CheckStats(index_root, "txt-index", kIndexLines); });
  summary["txt_index_detect_lines_per_s"] = MedianRate(
      "txt_index_detect_lines_per_s", kIndexLines, [&] { return CheckStats(index_root, "", kIndexLines); });
  DatasetStats scanned;
  auto tree = edgesync::formats::DatasetTree::Scan(index_root, scanned);
  if (!tree.ok()) return 2;
  summary["txt_index_parse_lines_per_s"] = MedianRate("txt_index_parse_lines_per_s", kIndexLines, [&] {
    DatasetStats stats;
    edgesync::formats::ParseTxtIndex(index, "train.txt", *tree, stats);
    return stats.samples == kIndexLines && stats.problems.empty();
  });
  summary["voc_files_per_s"] =
      MedianRate("voc_files_per_s", kVocFiles, [&] { return CheckStats(voc_root, "voc-xml", kVocFiles); });
  summary["voc_detect_files_per_s"] =
      MedianRate("voc_detect_files_per_s", kVocFiles, [&] { return CheckStats(voc_root, "", kVocFiles); });
  summary["runs"] = kRuns;
  summary["txt_index_lines"] = kIndexLines;
  summary["voc_files"] = kVocFiles;

  std::error_code ec;
  fs::remove_all(base, ec);
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}
