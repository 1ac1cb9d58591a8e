#include "fleet/fleet_view.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using nlohmann::json;

NodeRecord Record(const std::string& id, std::map<std::string, std::string> labels,
                  std::map<std::string, std::vector<std::string>> holdings) {
  NodeRecord r;
  r.node_id = id;
  r.labels = std::move(labels);
  r.holdings = std::move(holdings);
  r.software_version = "0.1.0";
  r.updated_ms = 1000;
  return r;
}

TEST(NodeRecordTest, RoundTripsThroughTheDocumentFieldsAndToleratesMore) {
  NodeRecord r = Record("edge-7", {{"site", "a"}}, {{"model/helmet", {"v1", "v2"}}});
  r.keys_not_listed = 3;
  r.deployments = {{"helmet", {{"key", "model/helmet"}, {"active", "v1"}, {"state", "healthy"}}}};
  r.store_bytes = 10;
  r.disk_free_bytes = 20;
  r.last_change_ms = 900;
  json fields = r.ToFields();
  fields["from_a_newer_node"] = 1;
  Result<NodeRecord> back = NodeRecord::FromFields("edge-7", fields);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToFields(), r.ToFields());
  EXPECT_TRUE(back->Holds("model/helmet", "v2"));
  EXPECT_FALSE(back->Holds("model/helmet", "v3"));
  EXPECT_FALSE(back->Holds("model/other", "v1"));
  // A field of the wrong type is a clear error, not a crash.
  fields["holdings"] = "not a map";
  EXPECT_FALSE(NodeRecord::FromFields("edge-7", fields).ok());
  EXPECT_FALSE(NodeRecord::FromFields("edge-7", json::array()).ok());
}

TEST(FleetViewTest, RecordsCompleteTheDirectPeersAndFilterByLabels) {
  std::vector<FleetNode> fleet = {{Record("self", {}, {{"model/m", {"v2"}}})},
                                  {Record("peer", {{"tier", "near"}}, {{"model/m", {"v2"}}})},
                                  {Record("far", {{"tier", "far"}}, {{"model/m", {"v1"}}})}};
  std::vector<replication::PeerHolding> direct = {{"peer", {{"tier", "near"}}, true, false}};
  auto holding = WithRecordedHolders(direct, fleet, "model/m", "v2", "self");
  ASSERT_EQ(holding.size(), 2u);
  EXPECT_EQ(holding[0].node_id, "peer");
  EXPECT_TRUE(holding[0].holds) << "its record says it holds v2";
  EXPECT_FALSE(holding[0].reported);
  EXPECT_EQ(holding[1].node_id, "far");
  EXPECT_FALSE(holding[1].holds);
  EXPECT_TRUE(holding[1].reported);
  EXPECT_FALSE(holding[1].connected);

  auto far = NodesWhere(fleet, {{"tier", "far"}});
  ASSERT_EQ(far.size(), 1u);
  EXPECT_EQ(far[0].record.node_id, "far");
  EXPECT_EQ(NodesWhere(fleet, {}).size(), 3u);
  EXPECT_TRUE(NodesWhere(fleet, {{"tier", "mid"}}).empty());
}

}  // namespace
}  // namespace edgesync
