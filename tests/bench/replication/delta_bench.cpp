#include "tests/bench/replication/delta_bench.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>
#include <unordered_set>
#include <vector>

#include "store/chunk_id.h"
#include "store/chunker.h"
#include "tests/bench/replication/byte_counting_proxy.h"
#include "tests/bench/replication/rsync_daemon.h"
#include "tests/support/bench_cluster.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kBlock = 4096;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double MedianOf(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The file's content-defined chunks (id, size) with the daemon's default chunking.
std::vector<std::pair<ChunkId, size_t>> ChunksOf(const fs::path& path) {
  const ChunkerParams params;
  Chunker chunker(params);
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> buffer(16 << 20);
  std::vector<std::pair<ChunkId, size_t>> chunks;
  size_t have = 0;
  bool eof = false;
  while (true) {
    if (!eof) {
      in.read(reinterpret_cast<char*>(buffer.data() + have), static_cast<std::streamsize>(buffer.size() - have));
      have += static_cast<size_t>(in.gcount());
      eof = !in;
    }
    size_t at = 0;
    while (at < have && (eof || have - at >= params.max_size)) {
      size_t cut = chunker.NextCut(buffer.data() + at, have - at);
      chunks.emplace_back(ChunkId::Of(buffer.data() + at, cut), cut);
      at += cut;
    }
    std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(at), buffer.begin() + static_cast<std::ptrdiff_t>(have),
              buffer.begin());
    have -= at;
    if (eof && have == 0) return chunks;
  }
}

// Rewrites 1% of the file's 4 KiB blocks, picked at random, with random bytes.
void RewriteOnePercent(const fs::path& path, std::mt19937_64& rng) {
  const size_t blocks = fs::file_size(path) / kBlock;
  std::set<size_t> picked;
  while (picked.size() < std::max<size_t>(1, blocks / 100)) picked.insert(rng() % blocks);
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  std::string noise(kBlock, '\0');
  for (size_t b : picked) {
    for (size_t i = 0; i < kBlock; i += 8) {
      uint64_t v = rng();
      std::memcpy(noise.data() + i, &v, 8);
    }
    f.seekp(static_cast<std::streamoff>(b * kBlock));
    f.write(noise.data(), static_cast<std::streamsize>(noise.size()));
  }
}

// Polls `where key` on `node` every 0.5 ms until this node's heads include `version`. Unlike
// `show` (which BenchCluster::WaitVisible polls), `where` reads only the heads, not the 1 GiB
// model's manifest, so the polling itself does not load the receiver during the measurement.
bool WaitHeld(const TestNode& node, const std::string& key, const std::string& version,
              std::chrono::milliseconds timeout) {
  return PollUntil(
      [&] {
        auto where = BenchCluster::Call(node, "where", {{"key", key}});
        if (!where) return false;
        for (const auto& n : where->value("nodes", nlohmann::json::array())) {
          if (!n.value("local", false)) continue;
          for (const auto& v : n.value("versions", nlohmann::json::array()))
            if (v == version) return true;
        }
        return false;
      },
      timeout, std::chrono::microseconds(500));
}

struct RunFigures {
  double wire = -1, new_chunks = -1, seconds = -1, rsync_wire = -1, rsync_seconds = -1;
};

RunFigures OneRun(const fs::path& work, uint64_t size_bytes, int run, std::mt19937_64& rng) {
  RunFigures out;
  fs::path model = work / "delta-model" / "model.bin";
  WriteRandomFile(model, rng, size_bytes);

  BenchCluster cluster;
  fs::path ca = cluster.MakeCa("ca", "delta");
  TestNode& a = cluster.AddNode("delta-a", ca, "cloud");
  TestNode& b = cluster.AddNode("delta-b", ca);
  cluster.Start(a, {}, {"--log-level", "info"});
  ByteCountingProxy proxy(a.peer_port);
  cluster.Start(b, {}, {"--log-level", "info", "--peer", "127.0.0.1:" + std::to_string(proxy.port())});
  if (::testing::Test::HasFailure() || proxy.port() == 0) {
    std::cerr << "delta: a node or the proxy did not start\n";
    return out;
  }
  auto v1 = BenchCluster::Call(a, "put", {{"key", "model/delta"}, {"path", model.parent_path().string()}});
  if (!v1 || !WaitHeld(b, "model/delta", v1->value("version", ""), std::chrono::minutes(10))) {
    std::cerr << "delta: the first version did not arrive\n";
    return out;
  }
  // rsync's receiver holds the same first version.
  fs::path rsync_dir = work / ("delta-rsync-" + std::to_string(run)) / "dst";
  fs::create_directories(rsync_dir);
  RsyncDaemon rsyncd(rsync_dir);
  if (rsyncd.Push(model, "run") < 0) {
    std::cerr << "delta: rsync of the first version failed\n";
    return out;
  }
  auto before_chunks = ChunksOf(model);
  RewriteOnePercent(model, rng);
  std::unordered_set<ChunkId, ChunkIdHash> old_ids;
  for (const auto& [id, size] : before_chunks) old_ids.insert(id);
  double new_chunks = 0;
  for (const auto& [id, size] : ChunksOf(model))
    if (!old_ids.count(id)) new_chunks += static_cast<double>(size);

  const uint64_t wire_before = proxy.total();
  auto start = Clock::now();
  auto v2 = BenchCluster::Call(a, "put", {{"key", "model/delta"}, {"path", model.parent_path().string()}});
  if (!v2 || !WaitHeld(b, "model/delta", v2->value("version", ""), std::chrono::minutes(10))) {
    std::cerr << "delta: the changed version did not arrive\n";
    return out;
  }
  const double seconds = Since(start);
  std::cout << "  delta: put took " << v2->value("seconds", -1.0) << " s, replication "
            << seconds - v2->value("seconds", 0.0) << " s more" << std::endl;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // trailing log reads and pokes
  out.wire = static_cast<double>(proxy.total() - wire_before);
  out.new_chunks = new_chunks;
  out.seconds = seconds;

  ByteCountingProxy rsync_proxy(rsyncd.port());
  auto rsync_start = Clock::now();
  ProcessResult rsync = RunProcess({"/usr/bin/rsync", "-a", "--stats", model.string(),
                                    "rsync://127.0.0.1:" + std::to_string(rsync_proxy.port()) + "/dst/run/"},
                                   std::chrono::minutes(10));
  const double rsync_seconds = Since(rsync_start);
  if (rsync.exit_code != 0) {
    std::cerr << "delta: rsync of the changed version failed: " << rsync.err << "\n";
    return out;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  out.rsync_wire = static_cast<double>(rsync_proxy.total());
  out.rsync_seconds = rsync_seconds;
  for (const char* line : {"Literal data:", "Total bytes sent:", "Total bytes received:"}) {
    auto at = rsync.out.find(line);
    if (at != std::string::npos) std::cout << "  rsync " << rsync.out.substr(at, rsync.out.find('\n', at) - at) << "\n";
  }
  std::error_code ec;
  fs::remove_all(rsync_dir.parent_path(), ec);
  return out;
}

}  // namespace

DeltaFigures MeasureDelta(const fs::path& work, uint64_t size_bytes, int runs, std::mt19937_64& rng) {
  std::vector<double> wire, new_chunks, seconds, rsync_wire, rsync_seconds;
  for (int run = 0; run < runs; ++run) {
    RunFigures r = OneRun(work, size_bytes, run, rng);
    std::cout << "delta run " << run << ": wire " << r.wire << " B (new chunks " << r.new_chunks
              << " B) in " << r.seconds << " s; rsync " << r.rsync_wire << " B in " << r.rsync_seconds
              << " s" << std::endl;
    if (r.wire < 0 || r.rsync_wire < 0) continue;
    wire.push_back(r.wire);
    new_chunks.push_back(r.new_chunks);
    seconds.push_back(r.seconds);
    rsync_wire.push_back(r.rsync_wire);
    rsync_seconds.push_back(r.rsync_seconds);
  }
  std::error_code ec;
  fs::remove_all(work / "delta-model", ec);
  return {MedianOf(wire),       MedianOf(new_chunks),    MedianOf(seconds),
          MedianOf(rsync_wire), MedianOf(rsync_seconds), static_cast<int>(wire.size())};
}

}  // namespace edgesync::testing
