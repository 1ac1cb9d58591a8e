// bench_store: throughput, dedup and memory figures of the store (make bench-store).
//
// Prints one line per figure and, last, one JSON object. Throughputs are medians of --runs runs
// (default 3). Puts run in a child process each, so peak RSS is the put's alone; each run puts
// into a plaintext store and into an encrypted one (storage.encryption), one after the other.
//   bench_store [--size-mib N] [--runs N] [--dir PATH]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/chunk_id.h"
#include "store/chunker.h"
#include "store/sha256.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace edgesync;

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (size_t i = 0; i + 8 <= size; i += 8) {
    uint64_t v = rng();
    std::memcpy(&out[i], &v, 8);
  }
  return out;
}

void WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary);
  out.write(data.data(), data.size());
}

// Chunks `data` on this thread; with `sha`, hashes it on a second thread at the same time, as
// a put does.
double ChunkMbps(const std::string& data, bool sha) {
  Chunker chunker(ChunkerParams{});
  auto start = Clock::now();
  std::thread sha_thread;
  if (sha) sha_thread = std::thread([&] { Sha256 h; h.Update(data.data(), data.size()); h.Finish(); });
  size_t pos = 0, count = 0;
  uint8_t sink = 0;
  while (pos < data.size()) {
    auto* p = reinterpret_cast<const uint8_t*>(data.data()) + pos;
    size_t len = chunker.NextCut(p, data.size() - pos);
    sink ^= ChunkId::Of(p, len).bytes[0];
    pos += len;
    ++count;
  }
  if (sha) sha_thread.join();
  double s = Seconds(start);
  if (sink == 0xff && count == 0) std::puts("");  // keep the hashing observable
  return data.size() / 1e6 / s;
}

struct PutResult {
  double seconds = 0;
  long peak_rss_kb = 0;
  bool ok = false;
};

// Opens the store at `store_dir` in a child process and puts `source` as `key`; with `encrypted`,
// the store is encrypted at rest.
PutResult PutInChild(const fs::path& store_dir, const fs::path& source, const std::string& key, bool encrypted) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    close(pipefd[0]);
    StoreOptions o;
    o.path = store_dir;
    o.node_id = "bench";
    if (encrypted) o.encryption_key = StoreKey::FromBytes(RandomBytes(32, 5), "bench key");
    auto store = Store::Open(o);
    if (!store.ok()) {
      std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
      _exit(1);
    }
    auto start = Clock::now();
    auto v = (*store)->Put(ObjectKey::Parse(key).value(), source, "{}");
    double s = Seconds(start);
    if (!v.ok()) {
      std::fprintf(stderr, "put: %s\n", v.status().ToString().c_str());
      _exit(1);
    }
    if (write(pipefd[1], &s, sizeof s) != sizeof s) _exit(1);
    store->reset();
    _exit(0);
  }
  close(pipefd[1]);
  PutResult r;
  int status = 0;
  struct rusage ru;
  bool got = read(pipefd[0], &r.seconds, sizeof r.seconds) == sizeof r.seconds;
  close(pipefd[0]);
  wait4(pid, &status, 0, &ru);
  r.peak_rss_kb = ru.ru_maxrss;
  r.ok = got && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

double CpMbps(const fs::path& source, const fs::path& dest, size_t size) {
  fs::remove(dest);
  std::string cmd = "cp '" + source.string() + "' '" + dest.string() + "' && sync '" + dest.string() + "'";
  auto start = Clock::now();
  if (std::system(cmd.c_str()) != 0) return 0;
  double s = Seconds(start);
  fs::remove(dest);
  return size / 1e6 / s;
}

// Bytes of chunks in `after` that `before` does not have (each distinct chunk once).
uint64_t NewChunkBytes(const Manifest& before, const Manifest& after) {
  std::set<ChunkId> known;
  for (const auto& f : before.files) for (const auto& c : f.chunks) known.insert(c.id);
  uint64_t bytes = 0;
  for (const auto& f : after.files)
    for (const auto& c : f.chunks)
      if (known.insert(c.id).second) bytes += c.size;
  return bytes;
}

Manifest LatestManifest(Store& store, const std::string& key) {
  auto k = ObjectKey::Parse(key).value();
  return store.ReadManifest(store.Latest(k)->record.manifest_id).value();
}

}  // namespace

int main(int argc, char** argv) {
  size_t size_mib = 1024;
  int runs = 3;
  fs::path dir = fs::current_path() / "bench-store-tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--size-mib")) size_mib = std::stoul(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--runs")) runs = std::stoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
  }
  const size_t size = size_mib << 20;
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::printf("bench_store: %zu MiB, %d runs, in %s\n", size_mib, runs, dir.c_str());

  std::vector<double> chunk, chunk_sha;
  {
    std::string data = RandomBytes(size, 42);
    for (int r = 0; r < runs; ++r) chunk.push_back(ChunkMbps(data, false));
    for (int r = 0; r < runs; ++r) chunk_sha.push_back(ChunkMbps(data, true));
    WriteFile(dir / "model.bin", data);
  }
  std::printf("chunk_mbps %.0f\n", Median(chunk));
  std::printf("chunk_sha_mbps %.0f\n", Median(chunk_sha));

  std::vector<double> put, put_encrypted, cp;
  long peak_rss_kb = 0;
  for (int r = 0; r < runs; ++r) {
    fs::remove_all(dir / "store-encrypted");
    auto sealed = PutInChild(dir / "store-encrypted", dir / "model.bin", "model/bench", true);
    if (!sealed.ok) { std::fprintf(stderr, "encrypted put failed\n"); return 1; }
    put_encrypted.push_back(size / 1e6 / sealed.seconds);
    fs::remove_all(dir / "store-encrypted");
    fs::remove_all(dir / "store");
    auto res = PutInChild(dir / "store", dir / "model.bin", "model/bench", false);
    if (!res.ok) { std::fprintf(stderr, "put failed\n"); return 1; }
    put.push_back(size / 1e6 / res.seconds);
    peak_rss_kb = std::max(peak_rss_kb, res.peak_rss_kb);
    cp.push_back(CpMbps(dir / "model.bin", dir / "copy.bin", size));
  }
  std::printf("put_mbps %.0f\n", Median(put));
  std::printf("put_mbps_encrypted %.0f (%.1f%% below plaintext)\n", Median(put_encrypted),
              100 * (1 - Median(put_encrypted) / Median(put)));
  std::printf("cp_mbps %.0f\n", Median(cp));
  std::printf("put_vs_cp %.2f\n", Median(put) / Median(cp));
  std::printf("peak_rss_mb %.1f\n", peak_rss_kb / 1024.0);

  // Dedup after edits: (a) 1% of 4 KiB blocks rewritten at random, (b) 4 KiB inserted at 0.
  std::string data;
  {
    std::ifstream in(dir / "model.bin", std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const size_t blocks = size / 4096, rewritten = blocks / 100;
  std::mt19937_64 rng(7);
  std::set<size_t> picked;
  while (picked.size() < rewritten) picked.insert(rng() % blocks);
  std::string edited = data;
  for (size_t b : picked) {
    std::string noise = RandomBytes(4096, rng());
    std::memcpy(&edited[b * 4096], noise.data(), 4096);
  }
  fs::create_directories(dir / "rewrite");
  WriteFile(dir / "rewrite" / "model.bin", edited);
  edited.clear();
  fs::create_directories(dir / "insert");
  WriteFile(dir / "insert" / "model.bin", RandomBytes(4096, 99) + data);
  data.clear();
  data.shrink_to_fit();

  uint64_t rewrite_new = 0, insert_new = 0, avg_chunk = 0;
  {
    StoreOptions o;
    o.path = dir / "store";
    auto store = Store::Open(o);
    if (!store.ok()) { std::fprintf(stderr, "%s\n", store.status().ToString().c_str()); return 1; }
    Manifest base = LatestManifest(**store, "model/bench");
    avg_chunk = base.TotalBytes() / base.files[0].chunks.size();
    if (!(*store)->Put(ObjectKey::Parse("model/rewrite").value(), dir / "rewrite" / "model.bin", "{}").ok()) return 1;
    rewrite_new = NewChunkBytes(base, LatestManifest(**store, "model/rewrite"));
    if (!(*store)->Put(ObjectKey::Parse("model/insert").value(), dir / "insert" / "model.bin", "{}").ok()) return 1;
    insert_new = NewChunkBytes(base, LatestManifest(**store, "model/insert"));
  }
  const uint64_t changed = rewritten * 4096;
  std::printf("rewrite_changed_bytes %lu (%zu blocks of 4 KiB)\n", changed, rewritten);
  std::printf("rewrite_new_bytes %lu (%.2f average chunks per rewritten block)\n", rewrite_new,
              static_cast<double>(rewrite_new) / avg_chunk / rewritten);
  std::printf("insert_new_bytes %lu (%.2f average chunks)\n", insert_new, static_cast<double>(insert_new) / avg_chunk);
  std::printf("avg_chunk_bytes %lu\n", avg_chunk);
  fs::remove_all(dir);

  std::printf(
      "{\"chunk_mbps\": %.0f, \"chunk_sha_mbps\": %.0f, \"put_mbps\": %.0f, \"put_mbps_encrypted\": %.0f, "
      "\"cp_mbps\": %.0f, "
      "\"rewrite_changed_bytes\": %lu, \"rewrite_new_bytes\": %lu, \"insert_new_bytes\": %lu, "
      "\"avg_chunk_bytes\": %lu, \"peak_rss_mb\": %.1f}\n",
      Median(chunk), Median(chunk_sha), Median(put), Median(put_encrypted), Median(cp), changed, rewrite_new, insert_new,
      avg_chunk, peak_rss_kb / 1024.0);
  return 0;
}
