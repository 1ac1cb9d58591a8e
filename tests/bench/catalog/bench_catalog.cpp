// bench_catalog: model selection over N models (default 10,000) in a real store.
//
// Puts N spec-only models, opens a Catalog (building the index from each latest head's spec),
// then times selections of several shapes. Prints `name value` lines and a final JSON line.
// Usage: bench_catalog [--models N] [--queries Q] [--dir PATH]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"

using namespace edgesync;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

std::string RandomSpec(std::mt19937& rng) {
  static const char* kTasks[] = {"object_detection", "image_classification", "face_recognition", "segmentation"};
  static const char* kLabels[] = {"car", "plane", "ship", "truck", "bus", "person", "helmet", "head", "dog", "cat",
                                  "bird", "horse", "bike", "train", "boat", "light", "sign", "cone", "bag", "box"};
  std::uniform_real_distribution<double> unit(0, 1);
  nlohmann::json spec = {{"task", kTasks[rng() % 4]}, {"format", "onnx"}};
  std::vector<std::string> labels;
  for (const char* l : kLabels)
    if (unit(rng) < 0.2) labels.push_back(l);
  spec["labels"] = labels;
  spec["metrics"] = {{"precision", 0.5 + unit(rng) / 2}, {"mAP", unit(rng)}, {"latency_ms", 5 + unit(rng) * 100}};
  spec["metadata"] = {{"site", "site-" + std::to_string(rng() % 20)}};
  return spec.dump();
}

}  // namespace

int main(int argc, char** argv) {
  size_t models = 10000, queries = 200;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("bench-catalog-" + std::to_string(getpid()));
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--models")) models = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--queries")) queries = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  std::filesystem::remove_all(dir);
  auto store = Store::Open(StoreOptions{.path = dir / "store"});
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  std::mt19937 rng(42);
  auto t0 = Clock::now();
  for (size_t i = 0; i < models; ++i) {
    auto key = ObjectKey::Parse("model/site-" + std::to_string(i % 20) + "/m" + std::to_string(i));
    auto spec = ModelSpec::Parse(RandomSpec(rng));
    auto r = (*store)->PutFiles(*key, {}, spec->ToCanonicalJson());
    if (!r.ok()) {
      std::fprintf(stderr, "put: %s\n", r.status().ToString().c_str());
      return 1;
    }
  }
  const double put_ms = Ms(Clock::now() - t0);

  t0 = Clock::now();
  auto catalog = Catalog::Open(**store);
  if (!catalog.ok()) {
    std::fprintf(stderr, "catalog: %s\n", catalog.status().ToString().c_str());
    return 1;
  }
  const double open_ms = Ms(Clock::now() - t0);

  const std::vector<std::string> shapes = {
      "--task object_detection --labels-all car,plane --metric precision>=0.8 --order mAP --limit 5",
      "--labels-any helmet,head --metric latency_ms<20 --order latency_ms",
      "--meta site=site-3 --order mAP --limit 10",
      "--order precision",  // every model matches, full sort
  };
  std::vector<double> times;
  size_t hits = 0;
  for (size_t i = 0; i < queries; ++i) {
    auto q = ModelQuery::ParseText(shapes[i % shapes.size()]);
    auto start = Clock::now();
    hits += (*catalog)->Select(*q).size();
    times.push_back(Ms(Clock::now() - start));
  }
  const double p50 = Percentile(times, 0.5), p99 = Percentile(times, 0.99),
               max = *std::max_element(times.begin(), times.end());
  std::printf("models %zu\nput_total_ms %.1f\nindex_open_ms %.1f\nselect_ms_p50 %.3f\nselect_ms_p99 %.3f\n"
              "select_ms_max %.3f\n", models, put_ms, open_ms, p50, p99, max);
  nlohmann::json out = {{"bench", "catalog"}, {"models", models}, {"queries", queries},
                        {"put_total_ms", put_ms}, {"index_open_ms", open_ms}, {"select_ms_p50", p50},
                        {"select_ms_p99", p99}, {"select_ms_max", max}, {"hits", hits}};
  std::printf("%s\n", out.dump().c_str());
  catalog->reset();
  store->reset();
  std::filesystem::remove_all(dir);
  return p99 < 50 ? 0 : 2;
}
