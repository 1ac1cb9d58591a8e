// Deployments owned by the daemon, with real daemons over TLS: a deployment on an edge follows
// the versions a cloud node publishes, its directory is one complete version at every instant
// (a reader loop checks it), the hook runs once per switch, and it survives a restart; a
// version whose health check fails is rolled back within the timeout plus 2 s and not tried
// again until `deploy retry`; a joint model's part is deployed alone; bad requests are refused
// with nothing touched.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"
#include "tests/support/test_content.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

class DeployTest : public ClusterFixture {
 protected:
  json Show(const TestNode& node, const std::string& name) {
    json shown = CliJson(node, {"deploy", "show", name});
    return shown.is_object() ? shown : json::object();
  }

  // The deployment's status once `done` holds for it, or null after the timeout.
  json WaitFor(const TestNode& node, const std::string& name, const std::function<bool(const json&)>& done,
               std::chrono::seconds timeout = std::chrono::seconds(60)) {
    json status;
    const bool ok = PollUntil(
        [&] {
          status = Show(node, name).value("status", json::object());
          return done(status);
        },
        timeout);
    return ok ? status : json();
  }

  std::string PutModel(const TestNode& node, const std::string& key, const std::string& content) {
    const fs::path dir = root() / ("src-" + std::to_string(++sources_));
    MakeFile(dir / "w.bin", content);
    MakeFile(dir / "labels.txt", "helmet\n");
    json put = CliJson(node, {"put", key, dir.string()});
    EXPECT_TRUE(put.is_object()) << ReadFileText(node.log());
    return put.is_object() ? put.value("version", "") : "";
  }

  static size_t Lines(const fs::path& file) {
    std::ifstream in(file);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }

  int sources_ = 0;
};

TEST_F(DeployTest, FollowsTheCloudOneCompleteVersionAtATimeAndSurvivesARestart) {
  const fs::path ca = MakeCa("ca", "deploy-1");
  TestNode& cloud = AddNode("cloud", ca, "cloud");
  TestNode& edge = AddNode("edge", ca);
  Start(cloud);
  Start(edge, {&cloud});
  const std::string content1(256 * 1024, 'a'), content2(256 * 1024, 'b');
  const std::string v1 = PutModel(cloud, "model/det", content1);
  fs::path got;
  ASSERT_TRUE(WaitForGet(edge, "model/det", &got));

  const fs::path srv = root() / "srv";
  fs::create_directories(srv);
  const fs::path hook_log = root() / "hook.log";
  // The hook appends the version it was told about: one line per switch.
  ProcessResult add = Cli(edge, {"deploy", "add", "det", "--key", "model/det", "--dir", (srv / "det").string(),
                                 "--shell", "--on-switch", "echo \"$EDGESYNC_VERSION\" >> " + hook_log.string()});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  json status = WaitFor(edge, "det", [&](const json& s) { return s.value("state", "") == "healthy"; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump();
  EXPECT_EQ(status.value("active", ""), v1);
  EXPECT_EQ(ReadFileText(srv / "det" / "w.bin"), content1);

  // A reader loop: every read through the link sees one whole version.
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, torn{0};
  std::thread reader([&] {
    while (!stop) {
      const std::string seen = ReadFileText(srv / "det" / "w.bin");
      if (seen != content1 && seen != content2) ++torn;
      ++reads;
    }
  });
  const std::string v2 = PutModel(cloud, "model/det", content2);
  status = WaitFor(edge, "det", [&](const json& s) { return s.value("active", "") == v2 && s.value("state", "") == "healthy"; });
  stop = true;
  reader.join();
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump() << ReadFileText(edge.log());
  EXPECT_EQ(torn.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(ReadFileText(srv / "det" / "w.bin"), content2);
  EXPECT_EQ(Lines(hook_log), 2u) << ReadFileText(hook_log);
  EXPECT_EQ(status.value("switches", 0), 2);

  // A restart keeps the deployment, without a CLI process and without switching again.
  ASSERT_EQ(Stop(edge), 0);
  Start(edge, {&cloud});
  status = WaitFor(edge, "det", [&](const json& s) { return s.value("state", "") == "healthy"; });
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status.value("active", ""), v2);
  EXPECT_EQ(Lines(hook_log), 2u);
  const std::string v3 = PutModel(cloud, "model/det", std::string(1000, 'c'));
  status = WaitFor(edge, "det", [&](const json& s) { return s.value("active", "") == v3; });
  ASSERT_TRUE(status.is_object()) << ReadFileText(edge.log());
}

TEST_F(DeployTest, AFailingHealthCheckRollsBackWithinTheTimeoutAndStaysRolledBack) {
  const fs::path ca = MakeCa("ca", "deploy-2");
  TestNode& edge = AddNode("edge", ca);
  Start(edge);
  const std::string good = PutModel(edge, "model/det", "good weights");
  const fs::path srv = root() / "srv";
  fs::create_directories(srv);
  ProcessResult add = Cli(edge, {"deploy", "add", "det", "--key", "model/det", "--dir", (srv / "det").string(),
                                 "--shell", "--health", "grep -q good \"$EDGESYNC_DIR/w.bin\"",
                                 "--health-timeout", "2"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  ASSERT_TRUE(WaitFor(edge, "det", [&](const json& s) { return s.value("state", "") == "healthy"; }).is_object());

  const std::string bad = PutModel(edge, "model/det", "bad weights");
  // From the moment the bad version is in service to the good one being back.
  Clock::time_point switched{};
  json status = WaitFor(edge, "det", [&](const json& s) {
    if (switched == Clock::time_point{} && s.value("active", "") == bad) switched = Clock::now();
    return s.value("state", "") == "rolled_back";
  });
  const Clock::time_point back = Clock::now();
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump();
  ASSERT_NE(switched, Clock::time_point{}) << "the bad version was never seen active";
  EXPECT_LE(back - switched, std::chrono::seconds(2 + 2));
  EXPECT_EQ(status.value("active", ""), good);
  EXPECT_EQ(ReadFileText(srv / "det" / "w.bin"), "good weights");
  EXPECT_EQ(status.value("rollbacks", 0), 1);
  EXPECT_NE(status.value("last_error", "").find("health check did not pass"), std::string::npos) << status.dump();
  EXPECT_EQ(status["failed_versions"], json::array({bad}));

  // /metrics shows it (read with Python's urllib: any HTTP client would do).
  const std::string address = CliJson(edge, {"status"}).value("http_status", "");
  ProcessResult metrics = RunProcess({"/usr/bin/python3", "-c",
                                      "import sys, urllib.request; "
                                      "sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
                                      "http://" + address + "/metrics"},
                                     std::chrono::seconds(30));
  ASSERT_EQ(metrics.exit_code, 0) << metrics.err;
  EXPECT_NE(metrics.out.find("edgesync_deployment_state{deployment=\"det\",version=\"" + good +
                             "\",state=\"rolled_back\"} 1"),
            std::string::npos)
      << metrics.out;
  EXPECT_NE(metrics.out.find("edgesync_deployment_rollbacks_total{deployment=\"det\"} 1"), std::string::npos);

  // Not tried again on its own; `deploy retry` tries (and fails) once more.
  ASSERT_EQ(Cli(edge, {"deploy", "retry", "det"}).exit_code, 0);
  status = WaitFor(edge, "det", [&](const json& s) { return s.value("rollbacks", 0) == 2; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump();
  EXPECT_EQ(ReadFileText(srv / "det" / "w.bin"), "good weights");
  // A newer version is tried.
  const std::string fixed = PutModel(edge, "model/det", "good weights, better");
  status = WaitFor(edge, "det", [&](const json& s) { return s.value("active", "") == fixed && s.value("state", "") == "healthy"; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump();
}

TEST_F(DeployTest, AJointModelDeploysThePartPlacedOnTheNode) {
  const fs::path ca = MakeCa("ca", "deploy-3");
  TestNode& cloud = AddNode("cloud", ca, "cloud");
  TestNode& edge = AddNode("edge", ca);
  Start(cloud, {}, {"--label", "role=cloud"});
  Start(edge, {&cloud}, {"--label", "role=edge"});
  // The edge replicates only the edge part's chunks (selective sync), then deploys it without
  // being told which part: its labels place the edge part here.
  const fs::path src = root() / "joint";
  MakeFile(src / "edge" / "tiny.onnx", "edge weights");
  MakeFile(src / "cloud" / "big.onnx", "cloud weights");
  MakeFile(root() / "joint.json", R"({"task":"detection","labels":["helmet"],"parts":{)"
                                  R"("edge":{"placement":{"role":"edge"}},"cloud":{"placement":{"role":"cloud"}}}})");
  ProcessResult put = Cli(cloud, {"put", "model/joint", src.string(), "--spec", (root() / "joint.json").string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  fs::create_directories(root() / "srv");
  const fs::path dir = root() / "srv" / "joint";
  ASSERT_EQ(Cli(edge, {"deploy", "add", "joint", "--key", "model/joint", "--dir", dir.string()}).exit_code, 0);
  json status = WaitFor(edge, "joint", [&](const json& s) { return s.value("state", "") == "healthy"; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "joint").dump() << ReadFileText(edge.log());
  EXPECT_EQ(status.value("part", ""), "edge");
  EXPECT_EQ(ReadFileText(dir / "tiny.onnx"), "edge weights");
  EXPECT_FALSE(fs::exists(dir / "big.onnx"));
  EXPECT_FALSE(fs::exists(dir / "cloud"));
  EXPECT_NE(Cli(edge, {"deploy", "show", "joint"}).out.find("(part edge, placed here)"), std::string::npos);

  // A node where no part is placed says so instead of writing a partial model.
  TestNode& other = AddNode("other", ca);
  Start(other, {&cloud}, {"--label", "role=gateway"});
  ASSERT_TRUE(WaitUntilRead(other, cloud));
  ASSERT_EQ(Cli(other, {"deploy", "add", "joint", "--key", "model/joint", "--dir", (root() / "srv" / "other").string()})
                .exit_code,
            0);
  status = WaitFor(other, "joint", [&](const json& s) { return !s.value("last_error", "").empty(); });
  ASSERT_TRUE(status.is_object()) << Show(other, "joint").dump();
  EXPECT_EQ(status.value("state", ""), "waiting");
  EXPECT_NE(status.value("last_error", "").find("none is placed on this node"), std::string::npos) << status.dump();
  EXPECT_FALSE(fs::exists(root() / "srv" / "other"));
}

TEST_F(DeployTest, AReleaseAtATimeIsStagedFirstAndActivatedThen) {
  const fs::path ca = MakeCa("ca", "deploy-9");
  TestNode& cloud = AddNode("cloud", ca, "cloud");
  TestNode& edge = AddNode("edge", ca);
  Start(cloud);
  Start(edge, {&cloud});
  const fs::path dir = root() / "srv" / "det";
  fs::create_directories(dir.parent_path());
  ASSERT_EQ(Cli(edge, {"deploy", "add", "det", "--key", "model/det", "--dir", dir.string(), "--channel", "stable"}).exit_code, 0);
  const std::string v1 = PutModel(cloud, "model/det", "version one");
  ASSERT_EQ(Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", v1}).exit_code, 0);
  ASSERT_TRUE(WaitFor(edge, "det", [&](const json& s) { return s.value("active", "") == v1 && s.value("state", "") == "healthy"; })
                  .is_object())
      << Show(edge, "det").dump();

  const std::string v2 = PutModel(cloud, "model/det", "version two");
  ProcessResult later = Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", v2, "--at", "+4s", "--json"});
  ASSERT_EQ(later.exit_code, 0) << later.err;
  const json released = json::parse(later.out);
  const uint64_t activate_ms = released.value("activate_ms", uint64_t{0});
  ASSERT_NE(activate_ms, 0u) << later.out;
  EXPECT_EQ(released.value("before", ""), v1);
  // Before the time: v2 is staged beside v1, and v1 keeps serving.
  json status = WaitFor(edge, "det", [&](const json& s) { return s.value("next", "") == v2; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump();
  EXPECT_EQ(status.value("next_at_ms", uint64_t{0}), activate_ms);
  EXPECT_TRUE(PollUntil([&] { return fs::is_directory(root() / "srv" / "det.versions" / v2); }, std::chrono::seconds(30)));
  const uint64_t now_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  if (now_ms < activate_ms) {
    EXPECT_EQ(ReadFileText(dir / "w.bin"), "version one");
  }
  // At the time: switched, not before.
  status = WaitFor(edge, "det", [&](const json& s) { return s.value("active", "") == v2 && s.value("state", "") == "healthy"; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump();
  EXPECT_GE(status.value("updated_ms", uint64_t{0}), activate_ms);
  EXPECT_EQ(ReadFileText(dir / "w.bin"), "version two");
  EXPECT_EQ(status.value("next", ""), "");

  // A time that is not one is refused with the forms it takes.
  ProcessResult bad = Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", v2, "--at", "tomorrow"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("RFC 3339"), std::string::npos) << bad.err;
}

TEST_F(DeployTest, ASlowHealthCheckHoldsOnlyItsOwnDeployment) {
  const fs::path ca = MakeCa("ca", "deploy-10");
  TestNode& edge = AddNode("edge", ca);
  Start(edge);
  PutModel(edge, "model/slow", "weights");
  const std::string fast_version = PutModel(edge, "model/fast", "weights");
  const fs::path srv = root() / "srv";
  fs::create_directories(srv);
  // The slow one's health command waits on a file the test creates only at the end.
  const fs::path release_gate = root() / "gate";
  ASSERT_EQ(Cli(edge, {"deploy", "add", "slow", "--key", "model/slow", "--dir", (srv / "slow").string(), "--shell",
                       "--health", "test -e " + release_gate.string(), "--health-timeout", "120"})
                .exit_code,
            0);
  ASSERT_TRUE(WaitFor(edge, "slow", [](const json& s) { return s.value("state", "") == "checking"; }).is_object());
  ASSERT_EQ(Cli(edge, {"deploy", "add", "fast", "--key", "model/fast", "--dir", (srv / "fast").string()}).exit_code, 0);
  json fast = WaitFor(edge, "fast", [](const json& s) { return s.value("state", "") == "healthy"; });
  ASSERT_TRUE(fast.is_object()) << Show(edge, "fast").dump();
  EXPECT_EQ(fast.value("active", ""), fast_version);
  EXPECT_EQ(Show(edge, "slow")["status"].value("state", ""), "checking") << "still waiting for its gate";
  MakeFile(release_gate, "");
  EXPECT_TRUE(WaitFor(edge, "slow", [](const json& s) { return s.value("state", "") == "healthy"; }).is_object());
}

TEST_F(DeployTest, BadRequestsAreRefusedAndNothingIsTouched) {
  const fs::path ca = MakeCa("ca", "deploy-4");
  TestNode& edge = AddNode("edge", ca);
  Start(edge);
  PutModel(edge, "model/det", "weights");
  const fs::path srv = root() / "srv";
  MakeFile(srv / "taken" / "keep.txt", "the operator's");

  ProcessResult clobber = Cli(edge, {"deploy", "add", "x", "--key", "model/det", "--dir", (srv / "taken").string()});
  EXPECT_NE(clobber.exit_code, 0);
  EXPECT_NE(clobber.err.find("exists and is not a deployment's"), std::string::npos) << clobber.err;
  EXPECT_EQ(ReadFileText(srv / "taken" / "keep.txt"), "the operator's");

  ProcessResult dataset = Cli(edge, {"deploy", "add", "x", "--key", "dataset/d", "--dir", (srv / "d").string()});
  EXPECT_NE(dataset.exit_code, 0);
  EXPECT_NE(dataset.err.find("is not a model"), std::string::npos) << dataset.err;

  ProcessResult no_parent = Cli(edge, {"deploy", "add", "x", "--key", "model/det", "--dir", (root() / "nope" / "d").string()});
  EXPECT_NE(no_parent.exit_code, 0);
  EXPECT_NE(no_parent.err.find("is not a directory"), std::string::npos) << no_parent.err;

  // A health command that does not exist: the version fails with that reason, nothing to roll
  // back to, and the daemon keeps serving.
  ASSERT_EQ(Cli(edge, {"deploy", "add", "y", "--key", "model/det", "--dir", (srv / "y").string(), "--health",
                       "/nonexistent/health-check"})
                .exit_code,
            0);
  json status = WaitFor(edge, "y", [&](const json& s) { return s.value("state", "") == "failed"; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "y").dump();
  EXPECT_NE(status.value("last_error", "").find("cannot run '/nonexistent/health-check'"), std::string::npos)
      << status.dump();
  EXPECT_EQ(CliJson(edge, {"deploy", "ls"})["deployments"].size(), 1u);
  ASSERT_EQ(Cli(edge, {"deploy", "rm", "y"}).exit_code, 0);
  EXPECT_TRUE(fs::is_symlink(srv / "y")) << "rm forgets the deployment; the directory stays";
  EXPECT_EQ(Cli(edge, {"deploy", "show", "y"}).exit_code, 1);
}

TEST_F(DeployTest, ACanaryReleaseReachesOneSiteThenAPromotionReachesAll) {
  const fs::path ca = MakeCa("ca", "deploy-6");
  TestNode& cloud = AddNode("cloud", ca, "cloud");
  TestNode& edge_a = AddNode("edge-a", ca);
  TestNode& edge_b = AddNode("edge-b", ca);
  Start(cloud);
  Start(edge_a, {&cloud}, {"--label", "site=a"});
  Start(edge_b, {&cloud}, {"--label", "site=b"});
  fs::create_directories(root() / "srv-a");
  fs::create_directories(root() / "srv-b");
  for (auto [node, dir] : {std::pair{&edge_a, root() / "srv-a" / "det"}, std::pair{&edge_b, root() / "srv-b" / "det"}}) {
    ProcessResult add = Cli(*node, {"deploy", "add", "det", "--key", "model/det", "--dir", dir.string(), "--channel", "stable"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  const std::string v1 = PutModel(cloud, "model/det", "version one");
  EXPECT_NE(Show(edge_a, "det").value("status", json::object()).value("state", ""), "healthy")
      << "nothing is released yet";
  ASSERT_EQ(Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", v1}).exit_code, 0);
  for (TestNode* node : {&edge_a, &edge_b}) {
    json status = WaitFor(*node, "det", [&](const json& s) { return s.value("active", "") == v1 && s.value("state", "") == "healthy"; });
    ASSERT_TRUE(status.is_object()) << node->name << ": " << Show(*node, "det").dump() << ReadFileText(node->log());
  }

  // v2 goes to both edges' stores (prefetched), but only site a is told to run it.
  const std::string v2 = PutModel(cloud, "model/det", "version two");
  ProcessResult canary = Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", v2, "--where", "site=a"});
  ASSERT_EQ(canary.exit_code, 0) << canary.err;
  json status = WaitFor(edge_a, "det", [&](const json& s) { return s.value("active", "") == v2 && s.value("state", "") == "healthy"; });
  ASSERT_TRUE(status.is_object()) << Show(edge_a, "det").dump();
  ASSERT_TRUE(WaitUntilRead(edge_b, cloud));  // b has read the release and the version
  EXPECT_EQ(Show(edge_b, "det")["status"].value("active", ""), v1);
  // b stages v2 beside v1 (written, not switched to), so its promotion is only the switch.
  EXPECT_TRUE(PollUntil([&] { return fs::is_directory(root() / "srv-b" / "det.versions" / v2); },
                        std::chrono::seconds(30)));
  EXPECT_EQ(ReadFileText(root() / "srv-b" / "det" / "w.bin"), "version one");

  // Promoted to every node.
  ASSERT_EQ(Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", v2}).exit_code, 0);
  status = WaitFor(edge_b, "det", [&](const json& s) { return s.value("active", "") == v2 && s.value("state", "") == "healthy"; });
  ASSERT_TRUE(status.is_object()) << Show(edge_b, "det").dump();
  EXPECT_EQ(ReadFileText(root() / "srv-b" / "det" / "w.bin"), "version two");

  // A release of a version the writer does not hold is refused.
  ProcessResult unknown = Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", "0123456789abcdef"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("is not on this node"), std::string::npos) << unknown.err;
}

TEST_F(DeployTest, TheCloudSeesACanaryFailInOneCommand) {
  const fs::path ca = MakeCa("ca", "deploy-7");
  TestNode& cloud = AddNode("cloud", ca, "cloud");
  TestNode& edge = AddNode("edge", ca);
  Start(cloud);
  Start(edge, {&cloud}, {"--label", "site=a"});
  fs::create_directories(root() / "srv");
  ASSERT_EQ(Cli(edge, {"deploy", "add", "det", "--key", "model/det", "--dir", (root() / "srv" / "det").string(),
                       "--channel", "stable", "--shell", "--health", "grep -q good \"$EDGESYNC_DIR/w.bin\"",
                       "--health-timeout", "1"})
                .exit_code,
            0);
  const std::string good = PutModel(cloud, "model/det", "good");
  ASSERT_EQ(Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", good}).exit_code, 0);
  const std::string bad = PutModel(cloud, "model/det", "bad");
  ASSERT_EQ(Cli(cloud, {"release", "model/det", "--channel", "stable", "--version", bad, "--where", "site=a"}).exit_code, 0);

  // `rollout status` exits 1 once a node reports a failure, so its JSON is read either way.
  auto rollout_status = [&] {
    json parsed = json::parse(Cli(cloud, {"rollout", "status", "model/det", "--json"}).out, nullptr, false);
    return parsed.is_object() ? parsed : json::object();
  };
  json row;
  ASSERT_TRUE(PollUntil(
      [&] {
        for (const auto& n : rollout_status().value("nodes", json::array()))
          if (n.value("node", "") == "edge" && n.value("state", "") == "rolled_back") row = n;
        return row.is_object();
      },
      std::chrono::seconds(60)))
      << rollout_status().dump() << ReadFileText(edge.log());
  EXPECT_EQ(row.value("deployment", ""), "det");
  EXPECT_EQ(row.value("active", ""), good);
  EXPECT_EQ(row.value("target", ""), bad);
  EXPECT_NE(row.value("last_error", "").find("health check"), std::string::npos);
  ProcessResult human = Cli(cloud, {"rollout", "status", "model/det"});
  EXPECT_EQ(human.exit_code, 1) << "a failed canary fails the command";
  EXPECT_NE(human.err.find("rolled_back"), std::string::npos) << human.err;  // a failure prints to stderr
}

TEST_F(DeployTest, AFailedSwitchIsTriedAgainUntilItWorks) {
  const fs::path ca = MakeCa("ca", "deploy-8");
  TestNode& edge = AddNode("edge", ca);
  Start(edge);
  const std::string v1 = PutModel(edge, "model/det", "weights");
  const fs::path srv = root() / "srv";
  MakeFile(srv / "det.versions", "a file where the versions directory goes");
  ASSERT_EQ(Cli(edge, {"deploy", "add", "det", "--key", "model/det", "--dir", (srv / "det").string()}).exit_code, 0);
  json status = WaitFor(edge, "det", [&](const json& s) { return s.value("state", "") == "failed"; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump();
  EXPECT_NE(status.value("last_error", "").find("trying again"), std::string::npos) << status.dump();
  fs::remove(srv / "det.versions");
  status = WaitFor(edge, "det", [&](const json& s) { return s.value("state", "") == "healthy"; }, std::chrono::seconds(30));
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump();
  EXPECT_EQ(status.value("active", ""), v1);
}

TEST_F(DeployTest, DeploymentsDeclaredInTheConfigFileFollowReloads) {
  const fs::path ca = MakeCa("ca", "deploy-5");
  TestNode& edge = AddNode("edge", ca);
  const fs::path srv = root() / "srv";
  fs::create_directories(srv);
  const fs::path config = root() / "edge.toml";
  MakeFile(config, "[[deploy]]\nname = \"det\"\nkey = \"model/det\"\ndir = \"" + (srv / "det").string() +
                       "\"\nhealth = [\"/usr/bin/test\", \"-s\", \"" + (srv / "det" / "w.bin").string() +
                       "\"]\nhealth_timeout = \"5s\"\n");
  Start(edge, {}, {"--config", config.string()});
  const std::string v1 = PutModel(edge, "model/det", "weights");
  json status = WaitFor(edge, "det", [&](const json& s) { return s.value("state", "") == "healthy"; });
  ASSERT_TRUE(status.is_object()) << Show(edge, "det").dump() << ReadFileText(edge.log());
  EXPECT_EQ(status.value("active", ""), v1);
  EXPECT_TRUE(Show(edge, "det").value("declared", false));
  ProcessResult rm = Cli(edge, {"deploy", "rm", "det"});
  EXPECT_NE(rm.exit_code, 0);
  EXPECT_NE(rm.err.find("declared in the config file"), std::string::npos) << rm.err;

  // The table goes away; a reload forgets the deployment and leaves its directory.
  MakeFile(config, "[node]\nlabels = { role = \"edge\" }\n");
  edge.process->Signal(SIGHUP);
  ASSERT_TRUE(PollUntil([&] { return CliJson(edge, {"deploy", "ls"}).value("deployments", json::array()).empty(); },
                        std::chrono::seconds(30)))
      << ReadFileText(edge.log());
  EXPECT_EQ(ReadFileText(srv / "det" / "w.bin"), "weights");

  // A table the daemon cannot take stops it at startup with a configuration error.
  ASSERT_EQ(Stop(edge), 0);
  MakeFile(config, "[[deploy]]\nname = \"det\"\nkey = \"model/det\"\ndir = \"" + (srv / "det").string() +
                       "\"\nhealht = [\"true\"]\n");
  ProcessResult refused = RunProcess({EDGESYNCD_BIN, "--data-dir", edge.data_dir.string(), "--config", config.string(),
                                      "--http-status", "off"},
                                     std::chrono::seconds(30));
  EXPECT_EQ(refused.exit_code, 78);
  EXPECT_NE(refused.err.find("deploy.healht: unknown key"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace edgesync::testing
