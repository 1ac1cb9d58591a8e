// Loopback integration tests: real TLS links between Transports on 127.0.0.1.
#include "transport/transport.h"

#include <algorithm>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "limits/bandwidth_limiter.h"
#include "tests/support/poll_until.h"
#include "tests/unit/transport/test_node.h"
#include "tests/unit/transport/test_pki.h"

namespace edgesync::transport {
namespace {

using testing::LoopbackOptions;
using testing::RecordingHandler;
using testing::TestNode;
using testing::TestPki;

constexpr const char* kCluster = "factory";

auto HasUp(const std::string& node_id) {
  return [node_id](const RecordingHandler& h) {
    for (const auto& up : h.ups) {
      if (up == node_id) return true;
    }
    return false;
  };
}

auto HasRefusal(const std::string& needle) {
  return [needle](const RecordingHandler& h) { return h.ContainsRefusal(needle); };
}

auto HasDown(const std::string& needle) {
  return [needle](const RecordingHandler& h) { return h.ContainsDown(needle); };
}

auto MessageCountAtLeast(std::size_t count) {
  return [count](const RecordingHandler& h) { return h.messages.size() >= count; };
}

TransportOptions NodeOptions(TestPki& pki, const std::string& node_id,
                             const std::string& role = "edge") {
  return LoopbackOptions(pki.Issue(node_id, role), kCluster, node_id);
}

TEST(LinkTest, TwoNodesEstablishTlsLinkAndExchangeHellos) {
  TestPki pki(kCluster);
  TransportOptions cloud_options = NodeOptions(pki, "cloud", "cloud");
  cloud_options.local_hello.min_protocol_version = 1;
  cloud_options.local_hello.max_protocol_version = 3;
  TransportOptions edge_options = NodeOptions(pki, "edge-1");
  edge_options.local_hello.min_protocol_version = 2;
  edge_options.local_hello.max_protocol_version = 5;
  edge_options.local_hello.subscriptions = {"model/"};
  edge_options.local_hello.upper_layer = "opaque";
  edge_options.local_hello.software_version = "edgesyncd 9.9.9 (commit test)";
  TestNode cloud(cloud_options);
  TestNode edge(edge_options);
  ASSERT_TRUE(cloud.ok()) << cloud.create_error();
  ASSERT_TRUE(edge.ok()) << edge.create_error();
  edge.ConnectTo(cloud.Listen());

  ASSERT_TRUE(cloud.handler().WaitFor(HasUp("edge-1")));
  ASSERT_TRUE(edge.handler().WaitFor(HasUp("cloud")));
  auto link = edge.LinkTo("cloud");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->peer().role, "cloud");
  EXPECT_EQ(link->peer().cluster_id, kCluster);
  EXPECT_EQ(link->peer().protocol_version, 3u);
  EXPECT_FALSE(link->peer().inbound);
  EXPECT_EQ(link->peer().store_epoch, "epoch-cloud");
  auto back = cloud.LinkTo("edge-1");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->peer().role, "edge");
  EXPECT_EQ(back->peer().subscriptions, std::vector<std::string>{"model/"});
  EXPECT_EQ(back->peer().upper_layer, "opaque");
  EXPECT_EQ(back->peer().software_version, "edgesyncd 9.9.9 (commit test)");
  EXPECT_NE(back->peer().certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(link->peer().software_version, "");  // the cloud's hello sent none
  EXPECT_EQ(back->peer().labels.at("site"), "test");
  EXPECT_TRUE(back->peer().inbound);

  const std::string big(1'000'000, 'z');  // fragmented into 256 KiB frames
  EXPECT_TRUE(link->Send(Lane::kControl, 42, "changes-since 7"));
  EXPECT_TRUE(link->Send(Lane::kBulk, 43, big));
  ASSERT_TRUE(cloud.handler().WaitFor(MessageCountAtLeast(2)));
  cloud.handler().WaitFor([](const RecordingHandler& h) {
    EXPECT_EQ(h.messages[0].type, 42u);
    EXPECT_EQ(h.messages[0].payload, "changes-since 7");
    EXPECT_EQ(h.messages[1].payload.size(), 1'000'000u);
    EXPECT_EQ(h.messages[1].lane, Lane::kBulk);
    return true;
  });
  EXPECT_GT(link->stats().bytes_sent, 1'000'000u);
  EXPECT_EQ(link->stats().messages_sent, 2u);
  EXPECT_GT(back->stats().bytes_received, 1'000'000u);
  EXPECT_FALSE(link->Send(Lane::kControl, kHelloMessageType, "reserved type"));
}

TEST(LinkTest, ThreeNodesThroughOneHub) {
  TestPki pki(kCluster);
  TestNode hub(NodeOptions(pki, "cloud", "cloud"));
  TestNode a(NodeOptions(pki, "edge-a"));
  TestNode b(NodeOptions(pki, "edge-b"));
  ASSERT_TRUE(hub.ok() && a.ok() && b.ok());
  const auto port = hub.Listen();
  a.ConnectTo(port);
  b.ConnectTo(port);
  ASSERT_TRUE(hub.handler().WaitFor([](const RecordingHandler& h) { return h.ups.size() == 2; }));
  for (auto& link : hub.transport().Links()) EXPECT_TRUE(link->Send(Lane::kControl, 1, "hi"));
  EXPECT_TRUE(a.handler().WaitFor(MessageCountAtLeast(1)));
  EXPECT_TRUE(b.handler().WaitFor(MessageCountAtLeast(1)));
}

TEST(LinkTest, PeerRestartIsFollowedByReconnect) {
  TestPki pki(kCluster);
  const TransportOptions cloud_options = NodeOptions(pki, "cloud", "cloud");
  auto cloud = std::make_unique<TestNode>(cloud_options);
  TestNode edge(NodeOptions(pki, "edge-1"));
  const auto port = cloud->Listen();
  edge.ConnectTo(port);
  ASSERT_TRUE(edge.handler().WaitFor(HasUp("cloud")));

  cloud.reset();  // peer goes away
  ASSERT_TRUE(edge.handler().WaitFor([](const RecordingHandler& h) { return !h.downs.empty(); }));

  TransportOptions restarted = cloud_options;
  restarted.listen_port = port;
  cloud = std::make_unique<TestNode>(restarted);
  ASSERT_EQ(cloud->Listen(), port);
  EXPECT_TRUE(cloud->handler().WaitFor(HasUp("edge-1")));
  EXPECT_TRUE(edge.handler().WaitFor([](const RecordingHandler& h) { return h.ups.size() == 2; }));
}

TEST(LinkTest, CertificateFromOtherClusterRefused) {
  TestPki pki(kCluster);
  TestPki foreign("other");
  TestNode cloud(NodeOptions(pki, "cloud", "cloud"));
  TransportOptions intruder_options = LoopbackOptions(foreign.Issue("edge-x"), kCluster, "edge-x");
  TestNode intruder(intruder_options);
  ASSERT_TRUE(cloud.ok() && intruder.ok());
  intruder.ConnectTo(cloud.Listen());
  EXPECT_TRUE(cloud.handler().WaitFor(HasRefusal("does not trust our cluster CA")));
  EXPECT_TRUE(intruder.handler().WaitFor(HasRefusal("not issued by our cluster CA")));
  EXPECT_TRUE(cloud.handler().ups.empty());
}

TEST(LinkTest, ExpiredCertificateRefused) {
  TestPki pki(kCluster);
  TestNode cloud(NodeOptions(pki, "cloud", "cloud"));
  auto expired = pki.Issue("edge-old", "edge", {std::chrono::hours(-48), std::chrono::hours(-1)});
  TestNode edge(LoopbackOptions(expired, kCluster, "edge-old"));
  ASSERT_TRUE(cloud.ok() && edge.ok());
  edge.ConnectTo(cloud.Listen());
  EXPECT_TRUE(cloud.handler().WaitFor(HasRefusal("certificate has expired")));
  EXPECT_TRUE(edge.handler().WaitFor(HasRefusal("expired")));
  EXPECT_TRUE(cloud.handler().ups.empty());
}

TEST(LinkTest, RevokedCertificateRefused) {
  TestPki pki(kCluster);
  auto revoked = pki.Issue("edge-stolen");
  TransportOptions cloud_options = NodeOptions(pki, "cloud", "cloud");
  cloud_options.crl_file = pki.WriteCrl({revoked.cert_pem});
  TestNode cloud(cloud_options);
  TestNode edge(LoopbackOptions(revoked, kCluster, "edge-stolen"));
  TestNode good(NodeOptions(pki, "edge-good"));
  ASSERT_TRUE(cloud.ok() && edge.ok() && good.ok());
  const auto port = cloud.Listen();
  edge.ConnectTo(port);
  good.ConnectTo(port);
  EXPECT_TRUE(cloud.handler().WaitFor(HasRefusal("certificate revoked")));
  EXPECT_TRUE(cloud.handler().WaitFor(HasUp("edge-good")));
  EXPECT_FALSE(HasUp("edge-stolen")(cloud.handler()));
}

// A CRL installed while links are up: the reload closes the revoked peer's link at once, keeps
// the good one, and the revoked peer's redials are refused with the new context.
TEST(LinkTest, ReloadClosesLinksOfRevokedPeers) {
  TestPki pki(kCluster);
  auto stolen = pki.Issue("edge-stolen");
  auto cloud_files = pki.Issue("cloud", "cloud");
  TestNode cloud(LoopbackOptions(cloud_files, kCluster, "cloud"));
  TestNode edge(LoopbackOptions(stolen, kCluster, "edge-stolen"));
  TestNode good(NodeOptions(pki, "edge-good"));
  ASSERT_TRUE(cloud.ok() && edge.ok() && good.ok());
  const auto port = cloud.Listen();
  edge.ConnectTo(port);
  good.ConnectTo(port);
  ASSERT_TRUE(cloud.handler().WaitFor(HasUp("edge-stolen")));
  ASSERT_TRUE(cloud.handler().WaitFor(HasUp("edge-good")));

  auto material = LoadTlsMaterial(
      {cloud_files.ca_cert, cloud_files.cert, cloud_files.key, pki.WriteCrl({stolen.cert_pem})});
  ASSERT_TRUE(material.ok()) << material.status().ToString();
  auto closed = cloud.transport().ReloadCredentials(*material);
  ASSERT_TRUE(closed.ok()) << closed.status().ToString();
  ASSERT_EQ(closed->size(), 1u);
  EXPECT_NE(closed->front().find("edge-stolen: peer certificate no longer accepted"), std::string::npos)
      << closed->front();
  EXPECT_NE(closed->front().find("revoked"), std::string::npos) << closed->front();
  EXPECT_TRUE(edge.handler().WaitFor(HasDown("revoked")));
  EXPECT_TRUE(cloud.handler().WaitFor(HasRefusal("certificate revoked")));
  EXPECT_NE(cloud.LinkTo("edge-good"), nullptr);

  // A reload that would change this node's id changes nothing.
  auto other = pki.Issue("cloud-2", "cloud");
  auto other_material = LoadTlsMaterial({other.ca_cert, other.cert, other.key, {}});
  ASSERT_TRUE(other_material.ok());
  auto refused = cloud.transport().ReloadCredentials(*other_material);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("differs from configured node id"), std::string::npos);
}

TEST(LinkTest, DuplicateNodeIdRefused) {
  TestPki pki(kCluster);
  TestNode cloud(NodeOptions(pki, "cloud", "cloud"));
  TestNode first(NodeOptions(pki, "edge-1"));
  TestNode second(NodeOptions(pki, "edge-1"));
  const auto port = cloud.Listen();
  first.ConnectTo(port);
  ASSERT_TRUE(cloud.handler().WaitFor(HasUp("edge-1")));
  second.ConnectTo(port);
  EXPECT_TRUE(cloud.handler().WaitFor(HasRefusal("duplicate node id 'edge-1'")));
  EXPECT_TRUE(second.handler().WaitFor(HasRefusal("duplicate node id")));
  EXPECT_EQ(cloud.handler().ups.size(), 1u);
  auto link = first.LinkTo("cloud");
  ASSERT_NE(link, nullptr);
  EXPECT_TRUE(link->Send(Lane::kControl, 5, "still here"));
  EXPECT_TRUE(cloud.handler().WaitFor(MessageCountAtLeast(1)));
}

TEST(LinkTest, IncompatibleProtocolVersionRefusedWithReason) {
  TestPki pki(kCluster);
  TransportOptions cloud_options = NodeOptions(pki, "cloud", "cloud");
  cloud_options.local_hello.min_protocol_version = 3;
  cloud_options.local_hello.max_protocol_version = 4;
  TransportOptions edge_options = NodeOptions(pki, "edge-1");
  edge_options.local_hello.min_protocol_version = 1;
  edge_options.local_hello.max_protocol_version = 2;
  TestNode cloud(cloud_options);
  TestNode edge(edge_options);
  edge.ConnectTo(cloud.Listen());
  EXPECT_TRUE(cloud.handler().WaitFor(HasRefusal("no common protocol version")));
  EXPECT_TRUE(edge.handler().WaitFor(HasRefusal("no common protocol version")));
  EXPECT_TRUE(edge.handler().ups.empty());
}

TEST(LinkTest, ControlMessageOvertakesQueuedBulkData) {
  TestPki pki(kCluster);
  TestNode cloud(NodeOptions(pki, "cloud", "cloud"));
  TestNode edge(NodeOptions(pki, "edge-1"));
  edge.ConnectTo(cloud.Listen());
  ASSERT_TRUE(edge.handler().WaitFor(HasUp("cloud")));
  auto link = edge.LinkTo("cloud");
  ASSERT_NE(link, nullptr);
  constexpr int kBulkMessages = 16;
  std::vector<std::string> payloads(kBulkMessages, std::string(1 << 20, 'b'));
  for (auto& payload : payloads) ASSERT_TRUE(link->Send(Lane::kBulk, 100, std::move(payload)));
  ASSERT_TRUE(link->Send(Lane::kControl, 7, "ack"));
  ASSERT_TRUE(cloud.handler().WaitFor(MessageCountAtLeast(kBulkMessages + 1)));
  cloud.handler().WaitFor([](const RecordingHandler& h) {
    std::size_t control_index = h.messages.size();
    for (std::size_t i = 0; i < h.messages.size(); ++i) {
      if (h.messages[i].lane == Lane::kControl) control_index = i;
    }
    // The control message arrives while bulk data is still queued, not after all of it.
    EXPECT_LT(control_index, 4u);
    return true;
  });
}

// A sending limit holds bulk frames back; control messages still go at once, and the bulk data
// arrives at the limit.
TEST(LinkTest, BandwidthLimitPacesBulkButNeverControl) {
  TestPki pki(kCluster);
  TestNode cloud(NodeOptions(pki, "cloud", "cloud"));
  TransportOptions options = NodeOptions(pki, "edge-1");
  limits::BandwidthConfig config;
  config.max_send = limits::Rate{2 << 20};
  options.bandwidth = std::make_shared<limits::BandwidthLimiter>(config, [] { return std::time_t{0}; });
  TestNode edge(options);
  edge.ConnectTo(cloud.Listen());
  ASSERT_TRUE(edge.handler().WaitFor(HasUp("cloud")));
  auto link = edge.LinkTo("cloud");
  ASSERT_NE(link, nullptr);
  // 3 MiB at 2 MiB/s: the first 0.2 MiB (the burst) at once, the rest in about 1.4 s.
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(link->Send(Lane::kBulk, 100, std::string(256 << 10, 'b')));
  ASSERT_TRUE(cloud.handler().WaitFor(MessageCountAtLeast(1)));
  ASSERT_TRUE(link->Send(Lane::kControl, 7, "ack"));
  ASSERT_TRUE(cloud.handler().WaitFor([](const RecordingHandler& h) {
    return std::any_of(h.messages.begin(), h.messages.end(), [](const auto& m) { return m.lane == Lane::kControl; });
  }));
  size_t bulk_before_control = 0;
  ASSERT_TRUE(cloud.handler().WaitFor([&](const RecordingHandler& h) {
    bulk_before_control = std::find_if(h.messages.begin(), h.messages.end(),
                                       [](const auto& m) { return m.lane == Lane::kControl; }) -
                          h.messages.begin();
    return true;
  }));
  EXPECT_LT(bulk_before_control, 6u) << "the control message waited for the bulk data";
  ASSERT_TRUE(cloud.handler().WaitFor(MessageCountAtLeast(13)));
  const double all_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(all_s, 1.2) << "bulk data was not paced";
}

TEST(LinkTest, SlowReaderIsDroppedAndQueueStaysBounded) {
  TestPki pki(kCluster);
  // Declared before the nodes: their io threads may still run the hook while they stop.
  std::atomic<bool> release{false};
  TestNode cloud(NodeOptions(pki, "cloud", "cloud"));
  TransportOptions edge_options = NodeOptions(pki, "edge-1");
  edge_options.max_bulk_queue_bytes = 4u << 20;
  TestNode edge(edge_options);
  cloud.handler().SetOnMessageHook([&] {
    // The cloud's only io thread stops reading, like an overloaded peer.
    edgesync::testing::PollUntil([&] { return release.load(); }, std::chrono::seconds(10));
  });
  edge.ConnectTo(cloud.Listen());
  ASSERT_TRUE(edge.handler().WaitFor(HasUp("cloud")));
  auto link = edge.LinkTo("cloud");
  ASSERT_NE(link, nullptr);

  std::size_t max_queued = 0;
  bool refused = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    refused = !link->Send(Lane::kBulk, 100, std::string(1 << 20, 's'));
    max_queued = std::max(max_queued, link->queued_bytes(Lane::kBulk));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(refused);
  EXPECT_LE(max_queued, edge_options.max_bulk_queue_bytes);
  EXPECT_TRUE(edge.handler().WaitFor(HasDown("send queue full")));
  release = true;
}

TEST(LinkTest, SilentPeerDroppedAfterIdleTimeout) {
  TestPki pki(kCluster);
  // Declared before the nodes: their io threads may still run the hook while they stop.
  std::atomic<bool> release{false};
  TestNode cloud(NodeOptions(pki, "cloud", "cloud"));
  TransportOptions edge_options = NodeOptions(pki, "edge-1");
  edge_options.idle_timeout = std::chrono::milliseconds(600);
  TestNode edge(edge_options);
  cloud.handler().SetOnMessageHook([&] {
    edgesync::testing::PollUntil([&] { return release.load(); }, std::chrono::seconds(5));
  });
  edge.ConnectTo(cloud.Listen());
  ASSERT_TRUE(edge.handler().WaitFor(HasUp("cloud")));
  ASSERT_TRUE(edge.LinkTo("cloud")->Send(Lane::kControl, 1, "freeze"));  // cloud stops reading
  EXPECT_TRUE(edge.handler().WaitFor(HasDown("peer silent")));
  release = true;
}

}  // namespace
}  // namespace edgesync::transport
