// Tests with a hand-driven peer: protocol violations close only the offending connection.
#include <gtest/gtest.h>

#include "tests/unit/transport/raw_websocket_peer.h"
#include "tests/unit/transport/test_node.h"

namespace edgesync::transport {
namespace {

using testing::RawWebSocketPeer;
using testing::RecordingHandler;
using testing::TestNode;

TransportOptions PlaintextOptions(const std::string& node_id) {
  TransportOptions options;
  options.local_hello.cluster_id = "factory";
  options.local_hello.node_id = node_id;
  options.listen_address = "127.0.0.1";
  options.listen_port = 0;
  options.insecure_plaintext_for_tests = true;
  options.handshake_timeout = std::chrono::milliseconds(3000);
  options.reconnect_initial_delay = std::chrono::milliseconds(50);
  return options;
}

Hello RawHello(const std::string& node_id) {
  Hello hello;
  hello.cluster_id = "factory";
  hello.node_id = node_id;
  return hello;
}

TEST(RawPeerTest, MalformedFrameClosesOnlyThatConnection) {
  TestNode cloud(PlaintextOptions("cloud"));
  TestNode edge(PlaintextOptions("edge-1"));
  ASSERT_TRUE(cloud.ok() && edge.ok());
  const auto port = cloud.Listen();
  edge.ConnectTo(port);
  ASSERT_TRUE(cloud.handler().WaitFor([](const RecordingHandler& h) { return h.ups.size() == 1; }));

  RawWebSocketPeer raw;
  ASSERT_TRUE(raw.Connect(port));
  ASSERT_TRUE(raw.CompleteHello(RawHello("edge-raw")));
  ASSERT_TRUE(cloud.handler().WaitFor([](const RecordingHandler& h) { return h.ups.size() == 2; }));
  std::string garbage = "\x09garbage-with-a-bad-version";
  ASSERT_TRUE(raw.SendBytes(garbage));
  EXPECT_TRUE(cloud.handler().WaitFor(
      [](const RecordingHandler& h) { return h.ContainsDown("unknown frame format version 9"); }));
  EXPECT_FALSE(raw.ReadMessage().has_value());  // the raw connection is gone
  EXPECT_EQ(raw.close_code(), 1002);            // with a WebSocket close saying why
  EXPECT_EQ(raw.close_reason().rfind("protocol violation: ", 0), 0u);
  EXPECT_NE(raw.close_reason().find("unknown frame format version 9"), std::string::npos)
      << "reason: '" << raw.close_reason() << "'";

  auto link = edge.LinkTo("cloud");
  ASSERT_NE(link, nullptr);
  EXPECT_TRUE(link->Send(Lane::kControl, 3, "still working"));
  EXPECT_TRUE(cloud.handler().WaitFor([](const RecordingHandler& h) {
    return !h.messages.empty() && h.messages.back().payload == "still working";
  }));
  EXPECT_EQ(cloud.handler().downs.size(), 1u);
}

TEST(RawPeerTest, DataBeforeHelloClosesConnection) {
  TestNode cloud(PlaintextOptions("cloud"));
  ASSERT_TRUE(cloud.ok());
  RawWebSocketPeer raw;
  ASSERT_TRUE(raw.Connect(cloud.Listen()));
  ASSERT_TRUE(raw.SendFrame(Lane::kControl, 5, "changes please"));
  EXPECT_TRUE(cloud.handler().WaitFor([](const RecordingHandler& h) {
    return h.ContainsRefusal("expected link message");
  }));
  EXPECT_TRUE(cloud.handler().ups.empty());
}

TEST(RawPeerTest, OversizeFrameClosesConnection) {
  TransportOptions options = PlaintextOptions("cloud");
  options.max_frame_payload = 1024;
  TestNode cloud(options);
  ASSERT_TRUE(cloud.ok());
  RawWebSocketPeer raw;
  ASSERT_TRUE(raw.Connect(cloud.Listen()));
  ASSERT_TRUE(raw.CompleteHello(RawHello("edge-raw")));
  ASSERT_TRUE(raw.SendFrame(Lane::kBulk, 5, std::string(4096, 'x')));
  EXPECT_TRUE(cloud.handler().WaitFor([](const RecordingHandler& h) { return !h.downs.empty(); }));
}

TEST(RawPeerTest, PlaintextModeRefusesNonLoopbackListen) {
  TransportOptions options = PlaintextOptions("cloud");
  options.listen_address = "0.0.0.0";
  TestNode cloud(options);
  ASSERT_TRUE(cloud.ok());
  EXPECT_EQ(cloud.Listen(), 0);
}

}  // namespace
}  // namespace edgesync::transport
