// Delta on the wire between real TLS daemons: after 1% of a model's 4 KiB blocks are rewritten,
// the receiver rebuilds a byte-identical file while far fewer bytes cross than the new chunks.
#include <random>

#include "tests/support/cluster_fixture.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class DeltaTransferTest : public ClusterFixture {
 protected:
  uint64_t PeerBytesIn(const TestNode& node) {
    json peers = CliJson(node, {"peers"});
    return peers.is_object() && peers["peers"].size() == 1
               ? peers["peers"][0].value("bytes_in", uint64_t{0})
               : 0;
  }
};

TEST_F(DeltaTransferTest, OnePercentOfBlocksRewrittenRebuildsByteIdentical) {
  fs::path ca = MakeCa("ca", "delta-1");
  TestNode& hub = AddNode("hub", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(hub);
  Start(edge, {&hub});
  constexpr size_t kSize = 16 << 20, kBlock = 4096;
  std::mt19937_64 rng(7);
  std::string data(kSize, '\0');
  for (size_t i = 0; i < kSize; i += 8) {
    uint64_t v = rng();
    std::memcpy(data.data() + i, &v, 8);
  }
  fs::path src = root() / "model";
  MakeFile(src / "model.bin", data);
  ASSERT_EQ(Cli(hub, {"put", "model/delta", src.string(), "--wait", "1"}).exit_code, 0);
  const uint64_t before = PeerBytesIn(edge);

  const size_t blocks = kSize / kBlock;
  std::set<size_t> picked;
  while (picked.size() < blocks / 100) picked.insert(rng() % blocks);
  for (size_t b : picked)
    for (size_t i = 0; i < kBlock; i += 8) {
      uint64_t v = rng();
      std::memcpy(data.data() + b * kBlock + i, &v, 8);
    }
  MakeFile(src / "model.bin", data);
  ProcessResult put = Cli(hub, {"put", "model/delta", src.string(), "--wait", "1"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  const uint64_t wire = PeerBytesIn(edge) - before;

  fs::path out;
  ASSERT_TRUE(WaitForGet(edge, "model/delta", &out));
  EXPECT_TRUE(ReadFileText(out / "model.bin") == data) << "rebuilt file differs";
  // 1% of 16 MiB is 164 KiB of new bytes; whole changed chunks would be several MiB.
  EXPECT_LT(wire, 1u << 20) << "wire bytes " << wire;
  EXPECT_GT(wire, picked.size() * kBlock / 2) << "wire bytes " << wire;
}

}  // namespace
}  // namespace edgesync::testing
