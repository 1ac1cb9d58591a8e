// Reconnect cost does not grow with the store: hub-1 starts with 3,000 metadata documents and
// 30 models; edge-1 catches up, restarts, and reconnects. The bytes the link carries after the
// reconnect (both directions, from `edgesync peers` counters) must stay under a fixed budget
// that is far below what the catch-up carried: checkpoints make it O(1), not O(objects).
#include <iostream>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/populate_store.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

class ReconnectBytesTest : public ClusterFixture {
 protected:
  // bytes_in + bytes_out of `node`'s link to `peer`, once the two have read each other's change
  // log to its end over this link (all a reconnect has to exchange), nothing is being fetched,
  // and the figure has not moved for two seconds (trailing pokes); nullopt if that does not
  // happen within a minute.
  std::optional<uint64_t> SettledLinkBytes(const TestNode& node, const TestNode& peer) {
    if (!WaitUntilRead(node, peer, seconds(60)) || !WaitUntilRead(peer, node, seconds(60)))
      return std::nullopt;
    uint64_t last = 0;
    auto unchanged_since = std::chrono::steady_clock::now();
    bool settled = PollUntil(
        [&] {
          const auto now = std::chrono::steady_clock::now();
          json entry = PeerEntry(CliJson(node, {"peers"}), peer.name);
          if (!entry.is_object() || !entry.value("connected", false) || entry.value("lag", 1) != 0 ||
              entry.value("transfers", 1) != 0) {
            unchanged_since = now;
            return false;
          }
          uint64_t bytes = entry.value("bytes_in", 0ull) + entry.value("bytes_out", 0ull);
          if (bytes != last) unchanged_since = now;
          last = bytes;
          return now - unchanged_since >= seconds(2);
        },
        seconds(60));
    if (!settled) return std::nullopt;
    return last;
  }
};

TEST_F(ReconnectBytesTest, CaughtUpNodesReconnectWithConstantTraffic) {
  constexpr size_t kDocuments = 3000, kModels = 30;
  fs::path ca = MakeCa("ca", "scale");
  TestNode& hub = AddNode("hub-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  double populate_s = 0;
  Status populated = PopulateStore(hub.data_dir, hub.name, {kDocuments, kModels, 7}, &populate_s);
  ASSERT_TRUE(populated.ok()) << populated.ToString();
  ASSERT_NO_FATAL_FAILURE(Start(hub));
  ASSERT_NO_FATAL_FAILURE(Start(edge, {&hub}));

  // Catch-up: every key arrives, and each node's fleet record (meta/nodes/<id>).
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(PollUntil([&] {
    json status = CliJson(edge, {"status"});
    return status.is_object() && status["store"]["keys"] == kDocuments + kModels + 2;
  }, seconds(240))) << "edge-1 did not catch up";
  double catch_up_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::optional<uint64_t> catch_up_bytes = SettledLinkBytes(edge, hub);
  ASSERT_TRUE(catch_up_bytes.has_value());

  // Restart the edge: a fresh link, whose counters start at zero.
  ASSERT_TRUE(Stop(edge).has_value());
  ASSERT_NO_FATAL_FAILURE(Start(edge, {&hub}));
  std::optional<uint64_t> reconnect_bytes = SettledLinkBytes(edge, hub);
  ASSERT_TRUE(reconnect_bytes.has_value()) << "the edge never settled after reconnecting";
  std::optional<uint64_t> hub_side = SettledLinkBytes(hub, edge);
  ASSERT_TRUE(hub_side.has_value());

  std::cout << "reconnect bytes: " << kDocuments << " documents + " << kModels
            << " models (populated in " << populate_s << " s); catch-up " << *catch_up_bytes
            << " bytes in " << catch_up_s << " s; reconnect " << *reconnect_bytes
            << " bytes (edge side), " << *hub_side << " bytes (hub side)\n";
  EXPECT_LT(*reconnect_bytes, 64u * 1024) << "reconnect traffic looks O(objects)";
  EXPECT_LT(*reconnect_bytes * 20, *catch_up_bytes);
}

}  // namespace
}  // namespace edgesync::testing
