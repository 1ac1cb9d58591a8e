#include "transport/hello.h"

#include <gtest/gtest.h>

namespace edgesync::transport {
namespace {

Hello MakeHello(std::string node_id, std::uint32_t min_version, std::uint32_t max_version) {
  Hello hello;
  hello.cluster_id = "factory";
  hello.node_id = std::move(node_id);
  hello.min_protocol_version = min_version;
  hello.max_protocol_version = max_version;
  return hello;
}

TEST(HelloTest, RoundTripKeepsEveryField) {
  Hello hello = MakeHello("edge-1", 1, 3);
  hello.labels = {{"role", "edge"}, {"site", "hall-a"}};
  hello.subscriptions = {"model/", "dataset/hall-a/"};
  hello.store_epoch = "epoch-42";
  hello.upper_layer = std::string("\0\1\2", 3);
  hello.wall_ms = 1'795'000'000'123;
  hello.software_version = "0.1.0 (commit 4059bc7d2f1e)";
  auto decoded = DecodeHello(EncodeHello(hello));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->node_id, "edge-1");
  EXPECT_EQ(decoded->labels, hello.labels);
  EXPECT_EQ(decoded->subscriptions, hello.subscriptions);
  EXPECT_EQ(decoded->store_epoch, "epoch-42");
  EXPECT_EQ(decoded->upper_layer, hello.upper_layer);
  EXPECT_EQ(decoded->max_protocol_version, 3u);
  EXPECT_EQ(decoded->wall_ms, 1'795'000'000'123u);
  EXPECT_EQ(decoded->software_version, "0.1.0 (commit 4059bc7d2f1e)");
}

// An older node's Hello has no version field; a newer node's may carry fields we do not know.
TEST(HelloTest, OlderAndNewerPeersStillDecode) {
  // cluster_id "f" (field 1), node_id "e" (field 2), max_protocol_version 1 (field 4).
  const std::string older("\x0a\x01" "f" "\x12\x01" "e" "\x20\x01", 8);
  auto from_older = DecodeHello(older);
  ASSERT_TRUE(from_older.ok());
  EXPECT_EQ(from_older->node_id, "e");
  EXPECT_EQ(from_older->software_version, "");
  // The same plus an unknown string field 15.
  auto from_newer = DecodeHello(older + std::string("\x7a\x01" "x", 3));
  ASSERT_TRUE(from_newer.ok());
  EXPECT_EQ(from_newer->node_id, "e");
}

TEST(HelloTest, PeerHintsRoundTripAndAreBounded) {
  Hello hello = MakeHello("cloud", 1, 3);
  hello.listen_port = 7443;
  hello.peer_hints = {{"edge-1", "10.0.0.7", 7443, {{"site", "hall-a"}}}, {"edge-2", "::1", 9000, {}}};
  auto decoded = DecodeHello(EncodeHello(hello));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->listen_port, 7443u);
  ASSERT_EQ(decoded->peer_hints.size(), 2u);
  EXPECT_EQ(decoded->peer_hints[0].node_id, "edge-1");
  EXPECT_EQ(decoded->peer_hints[0].host, "10.0.0.7");
  EXPECT_EQ(decoded->peer_hints[0].port, 7443u);
  EXPECT_EQ(decoded->peer_hints[0].labels, hello.peer_hints[0].labels);
  EXPECT_EQ(decoded->peer_hints[1].host, "::1");
  EXPECT_EQ(decoded->peer_hints[1].port, 9000u);

  Hello crowded = hello;
  crowded.peer_hints.assign(kMaxPeerHints + 1, hello.peer_hints[0]);
  EXPECT_FALSE(DecodeHello(EncodeHello(crowded)).ok());
  Hello no_port = hello;
  no_port.peer_hints[0].port = 0;
  EXPECT_FALSE(DecodeHello(EncodeHello(no_port)).ok());
  Hello no_id = hello;
  no_id.peer_hints[0].node_id.clear();
  EXPECT_FALSE(DecodeHello(EncodeHello(no_id)).ok());
}

TEST(HelloTest, NegotiatesHighestCommonVersion) {
  EXPECT_EQ(NegotiateProtocolVersion(MakeHello("a", 1, 3), MakeHello("b", 2, 5)), 3u);
  EXPECT_EQ(NegotiateProtocolVersion(MakeHello("a", 1, 1), MakeHello("b", 1, 1)), 1u);
  EXPECT_FALSE(NegotiateProtocolVersion(MakeHello("a", 3, 4), MakeHello("b", 1, 2)));
}

TEST(HelloTest, CheckRefusesMismatches) {
  const Hello local = MakeHello("cloud", 1, 2);
  CertifiedIdentity certified{"edge-1", "edge", "factory"};
  EXPECT_TRUE(CheckPeerHello(local, MakeHello("edge-1", 1, 2), certified).ok());

  auto wrong_id = CheckPeerHello(local, MakeHello("edge-2", 1, 2), certified);
  ASSERT_FALSE(wrong_id.ok());
  EXPECT_NE(wrong_id.status().message().find("differs from certificate"), std::string::npos);

  auto no_version = CheckPeerHello(local, MakeHello("edge-1", 3, 4), certified);
  ASSERT_FALSE(no_version.ok());
  EXPECT_NE(no_version.status().message().find("no common protocol version"), std::string::npos);

  Hello other_cluster = MakeHello("edge-1", 1, 2);
  other_cluster.cluster_id = "elsewhere";
  EXPECT_FALSE(CheckPeerHello(local, other_cluster, certified).ok());
  EXPECT_FALSE(CheckPeerHello(local, MakeHello("cloud", 1, 2), std::nullopt).ok());
}

TEST(HelloTest, RefuseAndAcceptRoundTrip) {
  EXPECT_EQ(DecodeRefuse(EncodeRefuse("go away")).value(), "go away");
  EXPECT_EQ(DecodeHelloAccept(EncodeHelloAccept(7)).value(), 7u);
  EXPECT_FALSE(DecodeHello(std::string("\xff\xff\xff", 3)).ok());
}

}  // namespace
}  // namespace edgesync::transport
