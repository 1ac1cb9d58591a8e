#include "tests/support/test_content.h"

#include <signal.h>

#include <fstream>
#include <map>
#include <vector>

namespace edgesync::testing {

namespace fs = std::filesystem;

void WriteRandomFile(const fs::path& path, std::mt19937_64& rng, uint64_t size) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<uint64_t> block(1 << 17);  // 1 MiB
  while (size > 0) {
    for (uint64_t& word : block) word = rng();
    uint64_t n = std::min<uint64_t>(size, block.size() * sizeof(uint64_t));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    size -= n;
  }
}

void WriteRandomTree(const fs::path& dir, std::mt19937_64& rng, size_t count, uint64_t min_size,
                     uint64_t max_size) {
  std::uniform_int_distribution<uint64_t> size(min_size, max_size);
  for (size_t i = 0; i < count; ++i) {
    fs::path file = dir / ("d" + std::to_string(i % 16)) / ("f" + std::to_string(i) + ".bin");
    WriteRandomFile(file, rng, size(rng));
  }
}

void WriteIndexedDataset(const fs::path& dir, std::mt19937_64& rng, size_t count,
                         uint64_t min_size, uint64_t max_size) {
  WriteRandomTree(dir, rng, count, min_size, max_size);
  std::ofstream index(dir / "index.txt");
  for (size_t i = 0; i < count; ++i) {
    index << "d" << (i % 16) << "/f" << i << ".bin class" << (i % 5) << "\n";
  }
}

namespace {

std::map<std::string, fs::path> FilesUnder(const fs::path& root) {
  std::map<std::string, fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) files[fs::relative(it->path(), root).string()] = it->path();
  }
  return files;
}

bool SameBytes(const fs::path& a, const fs::path& b) {
  if (fs::file_size(a) != fs::file_size(b)) return false;
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::vector<char> ba(1 << 20), bb(1 << 20);
  while (fa && fb) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (fa.gcount() != fb.gcount()) return false;
    if (!std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin())) return false;
  }
  return true;
}

}  // namespace

bool SameTree(const fs::path& a, const fs::path& b, std::string* why) {
  auto fa = FilesUnder(a), fb = FilesUnder(b);
  if (fa.size() != fb.size()) {
    *why = std::to_string(fa.size()) + " files vs " + std::to_string(fb.size());
    return false;
  }
  for (const auto& [rel, path] : fa) {
    auto other = fb.find(rel);
    if (other == fb.end()) {
      *why = rel + " missing";
      return false;
    }
    if (!SameBytes(path, other->second)) {
      *why = rel + " differs";
      return false;
    }
  }
  return true;
}

void KillNode(TestNode& node) {
  if (!node.process) return;
  node.process->Signal(SIGKILL);
  node.process->Wait(std::chrono::seconds(10));
  node.process.reset();
}

nlohmann::json PeerEntry(const nlohmann::json& peers_json, const std::string& node_id) {
  if (!peers_json.is_object()) return nullptr;
  for (const auto& peer : peers_json.value("peers", nlohmann::json::array())) {
    if (peer.value("node_id", "") == node_id) return peer;
  }
  return nullptr;
}

std::map<std::string, std::string> HeadsByKey(const nlohmann::json& ls_json) {
  std::map<std::string, std::string> heads;
  if (!ls_json.is_object()) return heads;
  for (const nlohmann::json& o : ls_json.value("objects", nlohmann::json::array())) {
    std::string summary = o.value("version", "") + "/" + std::to_string(o.value("heads", 0));
    if (o.value("tombstone", false)) summary += "/deleted";
    heads[o.value("key", "")] = summary;
  }
  return heads;
}

}  // namespace edgesync::testing
