// PeerDiscovery without a network: links are fakes, dialing is recorded.
#include "syncd/peer_discovery.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace edgesync {
namespace {

using std::chrono::minutes;
using std::chrono::steady_clock;

class FakeLink : public transport::Link {
 public:
  explicit FakeLink(transport::PeerInfo info) : info_(std::move(info)) {}
  bool Send(transport::Lane, std::uint32_t, std::string) override { return true; }
  void Close(std::string) override {}
  const transport::PeerInfo& peer() const override { return info_; }
  transport::LinkStats stats() const override { return {}; }
  std::size_t queued_bytes(transport::Lane) const override { return 0; }

 private:
  transport::PeerInfo info_;
};

class CountingHandler : public transport::LinkHandler {
 public:
  void OnLinkUp(transport::Link&) override { ++ups; }
  void OnMessage(transport::Link&, transport::Lane, std::uint32_t, std::string) override {}
  void OnLinkDown(transport::Link&, const std::string&) override { ++downs; }
  int ups = 0;
  int downs = 0;
};

transport::PeerInfo Peer(const std::string& id, const std::string& address, std::vector<transport::PeerHint> hints = {}) {
  transport::PeerInfo info;
  info.node_id = id;
  info.address = address;
  info.listen_port = 7443;
  info.labels = {{"site", "plant-1"}};
  info.peer_hints = std::move(hints);
  return info;
}

transport::PeerHint Hint(const std::string& id, const std::string& host, const std::string& site = "plant-1") {
  return {id, host, 7443, {{"site", site}}};
}

class DiscoveredPeersTest : public ::testing::Test {
 protected:
  DiscoveredPeersTest()
      : discovery_(inner_, PeerDiscoveryOptions{
                               "edge-1", "plant-1", 2,
                               [this](const std::string& host, uint16_t port) { dialed.push_back(host + ":" + std::to_string(port)); },
                               [this](const std::string& host, uint16_t port) { undialed.push_back(host + ":" + std::to_string(port)); },
                               minutes(10)}) {}

  CountingHandler inner_;
  PeerDiscovery discovery_;
  std::vector<std::string> dialed;
  std::vector<std::string> undialed;
};

TEST_F(DiscoveredPeersTest, DialsPeersOfItsSiteNamedByAPeerUpToMaxPeers) {
  FakeLink origin(Peer("cloud", "10.0.0.1:7443",
                       {Hint("edge-2", "10.0.0.2"), Hint("edge-1", "10.0.0.9"), Hint("other-site", "10.0.0.3", "plant-2"),
                        Hint("edge-4", "10.0.0.4"), Hint("edge-5", "10.0.0.5")}));
  discovery_.OnLinkUp(origin);
  EXPECT_EQ(inner_.ups, 1);
  // Not itself, not another site, and at most max_peers (2).
  EXPECT_EQ(dialed, (std::vector<std::string>{"10.0.0.2:7443", "10.0.0.4:7443"}));
}

TEST_F(DiscoveredPeersTest, APeerWithoutALinkForForgetAfterIsNoLongerDialedAndFreesItsPlace) {
  FakeLink origin(Peer("cloud", "10.0.0.1:7443", {Hint("edge-2", "10.0.0.2"), Hint("edge-4", "10.0.0.4")}));
  discovery_.OnLinkUp(origin);
  ASSERT_EQ(dialed.size(), 2u);
  // edge-2 answers; edge-4 never does.
  FakeLink edge2(Peer("edge-2", "10.0.0.2:7443"));
  discovery_.OnLinkUp(edge2);

  EXPECT_EQ(discovery_.ForgetUnreachable(steady_clock::now() + minutes(9)), 0u);
  EXPECT_TRUE(undialed.empty());
  EXPECT_EQ(discovery_.ForgetUnreachable(steady_clock::now() + minutes(11)), 1u);
  EXPECT_EQ(undialed, std::vector<std::string>{"10.0.0.4:7443"});

  // Its place under max_peers is free again: a new name is dialed, and so is edge-4 if named again.
  FakeLink origin_again(Peer("cloud", "10.0.0.1:7443", {Hint("edge-5", "10.0.0.5"), Hint("edge-4", "10.0.0.4")}));
  discovery_.OnLinkUp(origin_again);
  EXPECT_EQ(dialed.back(), "10.0.0.5:7443");
  EXPECT_EQ(dialed.size(), 3u);
}

TEST_F(DiscoveredPeersTest, ALinkedPeerIsKeptAndOneThatWentDownIsForgottenOnlyAfterForgetAfter) {
  FakeLink origin(Peer("cloud", "10.0.0.1:7443", {Hint("edge-2", "10.0.0.2")}));
  discovery_.OnLinkUp(origin);
  FakeLink edge2(Peer("edge-2", "10.0.0.2:7443"));
  discovery_.OnLinkUp(edge2);
  EXPECT_EQ(discovery_.ForgetUnreachable(steady_clock::now() + minutes(60)), 0u);  // linked

  discovery_.OnLinkDown(edge2, "gone");
  EXPECT_EQ(inner_.downs, 1);
  EXPECT_EQ(discovery_.ForgetUnreachable(steady_clock::now() + minutes(5)), 0u);
  EXPECT_EQ(discovery_.ForgetUnreachable(steady_clock::now() + minutes(10)), 1u);
  EXPECT_EQ(undialed, std::vector<std::string>{"10.0.0.2:7443"});
  EXPECT_EQ(discovery_.ForgetUnreachable(steady_clock::now() + minutes(60)), 0u);  // once
}

}  // namespace
}  // namespace edgesync
