#include "tests/support/populate_store.h"

#include <chrono>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"

namespace edgesync::testing {
namespace {

std::string ModelSpecJson(std::mt19937_64& rng) {
  static const char* kTasks[] = {"object_detection", "image_classification", "face_recognition",
                                 "segmentation"};
  static const char* kLabels[] = {"car", "person", "helmet", "head", "dog", "cat", "bike", "sign"};
  std::uniform_real_distribution<double> unit(0, 1);
  nlohmann::json spec = {{"task", kTasks[rng() % 4]}, {"format", "onnx"}};
  std::vector<std::string> labels;
  for (const char* label : kLabels) {
    if (unit(rng) < 0.3) labels.push_back(label);
  }
  spec["labels"] = labels;
  spec["metrics"] = {{"mAP", unit(rng)}, {"latency_ms", 5 + unit(rng) * 100}};
  spec["metadata"] = {{"site", "site-" + std::to_string(rng() % 20)}};
  return spec.dump();
}

}  // namespace

Status PopulateStore(const std::filesystem::path& data_dir, const std::string& node_id,
                     const StorePopulation& population, double* seconds) {
  auto started = std::chrono::steady_clock::now();
  StoreOptions options;
  options.path = data_dir / "store";
  options.node_id = node_id;
  Result<std::unique_ptr<Store>> store = Store::Open(options);
  if (!store.ok()) return store.status();
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(**store);
  if (!catalog.ok()) return catalog.status();
  std::mt19937_64 rng(population.seed);

  for (size_t i = 0; i < population.documents; ++i) {
    Result<ObjectKey> key = ObjectKey::Parse("meta/doc/" + std::to_string(i));
    if (!key.ok()) return key.status();
    nlohmann::json fields = {{"site", "site-" + std::to_string(rng() % 20)},
                             {"owner", "team-" + std::to_string(rng() % 7)},
                             {"serial", i}};
    Result<VersionInfo> put = (*catalog)->SetMetaFields(*key, fields);
    if (!put.ok()) return put.status();
  }

  std::filesystem::path scratch = data_dir / "populate-scratch";
  std::filesystem::create_directories(scratch);
  std::string bytes(4096, '\0');
  for (size_t i = 0; i < population.models; ++i) {
    for (char& c : bytes) c = static_cast<char>(rng());
    std::ofstream(scratch / "model.onnx", std::ios::binary | std::ios::trunc) << bytes;
    Result<ObjectKey> key =
        ObjectKey::Parse("model/site-" + std::to_string(i % 20) + "/m" + std::to_string(i));
    if (!key.ok()) return key.status();
    Result<VersionInfo> put = (*catalog)->PutModel(*key, scratch, ModelSpecJson(rng));
    if (!put.ok()) return put.status();
  }
  std::filesystem::remove_all(scratch);
  if (seconds) {
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  return Status::Ok();
}

}  // namespace edgesync::testing
