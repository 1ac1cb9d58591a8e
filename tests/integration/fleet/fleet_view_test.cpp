// The fleet view past one hop, with real daemons over TLS in a line A - B - C - D (A and D are
// three hops apart): `fleet` and `where` on A show what D holds, by D's own record relayed
// through B and C; `put --wait tier=far` on A waits for D; a node that stops is shown stale.
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class FleetViewTest : public ClusterFixture {
 protected:
  // The node `id` as `fleet` on `node` lists it (null when it does not).
  json FleetEntry(const TestNode& node, const std::string& id, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"fleet"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const json& n : CliJson(node, args).value("nodes", json::array()))
      if (n.value("node_id", "") == id) return n;
    return json();
  }
};

TEST_F(FleetViewTest, ANodeThreeHopsAwayIsSeenByItsRecordAndGoesStaleWhenItStops) {
  const fs::path ca = MakeCa("ca", "fleet-1");
  const fs::path config = root() / "fleet.toml";
  MakeFile(config, "[fleet]\nheartbeat = \"1s\"\nstale_after = \"4s\"\n");
  TestNode& a = AddNode("node-a", ca, "cloud");
  TestNode& b = AddNode("node-b", ca);
  TestNode& c = AddNode("node-c", ca);
  TestNode& d = AddNode("node-d", ca);
  Start(a, {}, {"--config", config.string()});
  Start(b, {&a}, {"--config", config.string()});
  Start(c, {&b}, {"--config", config.string()});
  Start(d, {&c}, {"--config", config.string(), "--label", "tier=far"});
  ASSERT_TRUE(PollUntil([&] { return ConnectedPeers(b) == 2 && ConnectedPeers(c) == 2; }));
  EXPECT_EQ(ConnectedPeers(a), 1u);

  MakeFile(root() / "v1" / "w.bin", std::string(100 << 10, 'x'));
  json put = CliJson(a, {"put", "model/helmet", (root() / "v1").string()});
  ASSERT_TRUE(put.is_object());
  const std::string v1 = put.value("version", "");

  // D's record reaches A through B and C, saying D holds v1.
  json entry;
  ASSERT_TRUE(PollUntil(
      [&] {
        entry = FleetEntry(a, "node-d", {"--key", "model/helmet"});
        return entry.is_object() && entry.value("versions", json::array()) == json::array({v1});
      },
      std::chrono::seconds(60)))
      << CliJson(a, {"fleet"}).dump() << ReadFileText(d.log());
  EXPECT_EQ(entry["labels"], json({{"tier", "far"}}));
  EXPECT_FALSE(entry.value("software_version", "").empty());
  EXPECT_TRUE(PollUntil([&] { return !FleetEntry(a, "node-d").value("stale", true); }));
  EXPECT_EQ(CliJson(a, {"fleet"})["nodes"].size(), 4u);
  // `ls` leaves the records out unless asked.
  auto listed = [&](const std::vector<std::string>& args) {
    size_t records = 0;
    for (const json& o : CliJson(a, args).value("objects", json::array()))
      records += o.value("key", "").rfind("meta/nodes/", 0) == 0 ? 1 : 0;
    return records;
  };
  EXPECT_EQ(listed({"ls"}), 0u);
  EXPECT_EQ(listed({"ls", "--all"}), 4u);
  EXPECT_EQ(listed({"ls", "meta/nodes/"}), 4u);
  // Filtered by label, only D.
  json far = CliJson(a, {"fleet", "--where", "tier=far"});
  ASSERT_EQ(far["nodes"].size(), 1u) << far.dump();
  EXPECT_EQ(far["nodes"][0]["node_id"], "node-d");

  // `where` on A lists D, though A has no link to it.
  bool d_listed = false;
  const json where = CliJson(a, {"where", "model/helmet"});
  for (const json& n : where.value("nodes", json::array()))
    if (n.value("node_id", "") == "node-d") d_listed = n.value("reported", false) && n["versions"] == json::array({v1});
  EXPECT_TRUE(d_listed) << where.dump();

  // `put --wait tier=far` on A returns once D, three hops away, reports the new version.
  MakeFile(root() / "v2" / "w.bin", std::string(100 << 10, 'y'));
  ProcessResult waited = Cli(a, {"put", "model/helmet", (root() / "v2").string(), "--wait", "tier=far",
                                 "--wait-timeout", "60", "--json"});
  ASSERT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  // The put's answer, then the wait's.
  std::istringstream answers(waited.out);
  json put_answer, wait_answer;
  answers >> put_answer >> wait_answer;
  const std::string v2 = put_answer.value("version", "");
  EXPECT_TRUE(wait_answer.value("met", false)) << waited.out;
  EXPECT_EQ(wait_answer["holders"], json::array({"node-d"})) << waited.out;
  json d_show = CliJson(d, {"show", "model/helmet"});
  EXPECT_EQ(d_show.value("version", ""), v2) << "put --wait returned before D held the version";

  // D stops: its record ages past fleet.stale_after on A.
  ASSERT_EQ(Stop(d), 0);
  EXPECT_TRUE(PollUntil([&] { return FleetEntry(a, "node-d").value("stale", false); }, std::chrono::seconds(30)))
      << FleetEntry(a, "node-d").dump();
  ProcessResult human = Cli(a, {"fleet"});
  EXPECT_NE(human.out.find("STALE"), std::string::npos) << human.out;
}

}  // namespace
}  // namespace edgesync::testing
