// Serving under read rules, one replicator at a time (the cluster-wide picture is in
// tests/integration/replication/read_acl_test.cpp): a node fetching a version tells only peers
// that may read it what it holds, and serves a version it is still fetching by the same rules
// as one it holds. Peers are HostilePeers with certified labels, one claiming another site in
// its Hello.
#include <gtest/gtest.h>

#include <fstream>

#include "catalog/metadata_document.h"
#include "replication/message_types.h"
#include "replication/messages.h"
#include "replication/read_authority.h"
#include "replication/write_acl.h"
#include "tests/support/poll_until.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/replication/hostile_peer.h"
#include "tests/unit/replication/repl_node.h"

namespace edgesync::replication {
namespace {

using edgesync::testing::PollUntil;
using edgesync::testing::TempDir;
using testing::HostilePeer;
using testing::ReplNode;

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

bool Connected(ReplNode& node, const std::string& peer) {
  for (const auto& p : node.replicator().Peers())
    if (p.node_id == peer && p.connected) return true;
  return false;
}

TEST(ReplicatorReadRulesTest, AvailabilityOfAFetchGoesOnlyToPeersThatMayReadIt) {
  transport::testing::TestPki pki("test-cluster");
  TempDir data;
  ReplNode source(pki, "cloud-1", data / "cloud-1", "cloud");
  source.Start();
  ReplNode relay(pki, "relay-1", data / "relay-1", "cloud");
  auto authority = std::make_shared<ReadAuthority>(ReadAuthorityOptions{});
  relay.configure = [authority](StoreOptions&, ReplicatorOptions& options) { options.read_authority = authority; };
  relay.Start();
  authority->Attach(relay.store());
  MetadataDocument rules;
  rules.Set("rules", nlohmann::json::parse(R"([{"labels":{"site":"a"},"keys":["dataset/site-a/*"],"allow":"read"}])"),
            {1, "relay-1"});
  const std::string spec = nlohmann::json{{"kind", "meta"}, {"fields", rules.ToJson()["fields"]}}.dump();
  ASSERT_TRUE(relay.store().PutFiles(Key(kWriteAclKey), {}, spec).ok());
  ASSERT_TRUE(authority->acl()->enforced());

  HostilePeer reader(pki.Issue("reader-a", "edge", {std::chrono::seconds(-60), std::chrono::seconds(3600)},
                               {{"site", "a"}}),
                     "test-cluster", "reader-a");
  // Certified for site b, claiming site a in its Hello.
  HostilePeer other(pki.Issue("other-b", "edge", {std::chrono::seconds(-60), std::chrono::seconds(3600)},
                              {{"site", "b"}}),
                    "test-cluster", "other-b", {{"site", "a"}});
  reader.ConnectTo(relay.port());
  other.ConnectTo(relay.port());
  ASSERT_TRUE(PollUntil([&] { return Connected(relay, "reader-a") && Connected(relay, "other-b"); }));

  const auto file = data / "frames.csv";
  { std::ofstream(file) << "frame,label\na-1,helmet\n"; }
  ASSERT_TRUE(source.store().Put(Key("dataset/site-a/frames"), file, "{}").ok());
  const size_t pokes = other.received(kPoke);
  relay.ConnectTo(source);
  ASSERT_TRUE(PollUntil([&] { return relay.store().Latest(Key("dataset/site-a/frames")).ok(); }));
  EXPECT_TRUE(reader.WaitFor(kChunkAvailability));
  // The relay pokes every peer once the version is applied, on the lane its availability goes
  // by, after the fetch started: when the poke is in, an availability would have been too.
  ASSERT_TRUE(other.WaitFor(kPoke, pokes + 1));
  EXPECT_EQ(other.received(kChunkAvailability), 0u);
}

}  // namespace
}  // namespace edgesync::replication
