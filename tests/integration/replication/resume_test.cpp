// A receiver SIGKILLed in the middle of a 256 MiB transfer resumes after a restart: the
// sender's wire counters (`edgesync peers --json`, bytes_out of the link) show that the second
// link sends roughly only what the first did not.
#include <iostream>

#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kTotal = 256 * kMiB;

class ResumeTest : public ClusterFixture {
 protected:
  uint64_t BytesOut(const TestNode& sender, const std::string& receiver) {
    nlohmann::json peer = PeerEntry(CliJson(sender, {"peers"}), receiver);
    return peer.is_object() && peer.value("connected", false) ? peer.value("bytes_out", 0ull) : 0;
  }
};

TEST_F(ResumeTest, KilledReceiverResumesWithoutResendingEverything) {
  fs::path ca = MakeCa("ca", "resume");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca);
  Start(cloud);
  Start(edge, {&cloud});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(cloud) == 1; }));
  std::mt19937_64 rng(256);
  fs::path src = root() / "big";
  WriteRandomFile(src / "model.bin", rng, kTotal);
  ASSERT_EQ(Cli(cloud, {"put", "model/big", src.string()}).exit_code, 0);

  // Kill the receiver once 3/8 of the model has gone over the link (a restart from scratch
  // would then re-send at least that much).
  uint64_t first_link = 0;
  PollUntil(
      [&] {
        first_link = std::max(first_link, BytesOut(cloud, "edge-1"));
        return first_link >= kTotal * 3 / 8;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(5));
  KillNode(edge);
  ASSERT_GE(first_link, kTotal * 3 / 8) << "the transfer did not get going";
  ASSERT_LT(first_link, kTotal * 9 / 10) << "the transfer finished before the kill";

  Start(edge, {&cloud});
  fs::path out;
  ASSERT_TRUE(WaitForGet(edge, "model/big", &out, std::chrono::seconds(60)))
      << ReadFileText(edge.log());
  uint64_t second_link = BytesOut(cloud, "edge-1");
  std::string why;
  EXPECT_TRUE(SameTree(src, out, &why)) << why;
  // Re-sent = what both links carried beyond the model's size. The first link's figure is a
  // lower bound. Bytes in flight at the kill are lost: at most the 16 MiB window plus the
  // 32 MiB the receiver buffers before they are durable (two 16 MiB batches,
  // docs/replication.md); each of the window and the batches may end one chunk (<= 256 KiB)
  // past its size, and framing and metadata add a few hundred KiB.
  int64_t resent = static_cast<int64_t>(first_link + second_link) - static_cast<int64_t>(kTotal);
  std::cout << "first link " << first_link / kMiB << " MiB, second link " << second_link / kMiB
            << " MiB, re-sent " << resent / static_cast<int64_t>(kMiB) << " MiB" << std::endl;
  EXPECT_GT(second_link, 0u);
  constexpr int64_t kWindow = 16 * kMiB, kReceiveBuffer = 32 * kMiB, kOverhead = 2 * kMiB;
  EXPECT_LT(resent, kWindow + kReceiveBuffer + kOverhead);
}

}  // namespace
}  // namespace edgesync::testing
