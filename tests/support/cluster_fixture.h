// ClusterFixture: a gtest fixture for tests of several daemons (replication, conflicts, status,
// faults, scale). It owns a temp directory under /tmp, creates cluster CAs and node
// certificates with the real `edgesync cluster` commands, starts edgesyncd nodes on 127.0.0.1
// with ephemeral peer ports, and runs the CLI against them. TearDown stops every daemon
// (SIGTERM, then SIGKILL) and removes the directory.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process_runner.h"

namespace edgesync::testing {

// One edgesyncd node of a test: its data directory and, while running, its process.
struct TestNode {
  std::string name;  // also its node id
  std::filesystem::path data_dir;
  std::unique_ptr<BackgroundProcess> process;
  uint16_t peer_port = 0;  // bound peer port once started
  // Extra "NAME=value" environment for the daemon (e.g. a faked clock through libfaketime).
  std::vector<std::string> env;

  std::filesystem::path socket() const { return data_dir / "control.sock"; }
  std::filesystem::path log() const { return data_dir.parent_path() / (name + ".err"); }
  std::string address() const { return "127.0.0.1:" + std::to_string(peer_port); }
};

class ClusterFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  const std::filesystem::path& root() const { return root_; }

  // `edgesync cluster init <root>/<name> --cluster-id <cluster_id>`; returns the CA dir.
  std::filesystem::path MakeCa(const std::string& name, const std::string& cluster_id);
  // A node whose <data>/cluster holds a key and certificate from `ca` (join + sign + ca.crt),
  // with `cert_labels` ("key=value") certified in it.
  TestNode& AddNode(const std::string& name, const std::filesystem::path& ca,
                    const std::string& role = "edge", int cert_days = 2,
                    const std::vector<std::string>& cert_labels = {});

  // Starts the node listening on 127.0.0.1 on its previous port (the first time, a free one
  // below the ephemeral range) and dialing `peers`; waits for its control socket and reads its
  // peer port from status.
  void Start(TestNode& node, const std::vector<const TestNode*>& peers = {},
             const std::vector<std::string>& extra_args = {});
  // SIGTERM; returns the exit code.
  std::optional<int> Stop(TestNode& node);

  // `edgesync --socket <node socket> args...`.
  ProcessResult Cli(const TestNode& node, const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Runs `edgesync args...` (cluster commands); expects exit 0.
  ProcessResult LocalCli(const std::vector<std::string>& args);
  // `args... --json`, parsed; null on failure.
  nlohmann::json CliJson(const TestNode& node, std::vector<std::string> args);

  // True once `get key` on the node succeeds into a fresh directory (returned in *dest).
  bool WaitForGet(const TestNode& node, const std::string& key, std::filesystem::path* dest,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Number of peers `edgesync peers --json` shows connected.
  size_t ConnectedPeers(const TestNode& node);
  // True once `reader`, over its current link to `writer`, has been told where `writer`'s change
  // log ends and has read it up to where it ended at the time of the call (`writer`'s
  // store.last_seq in `status`; `reader`'s peer_latest and checkpoint for it in `peers`): every
  // change made on `writer` before the call has been taken, filtered out or refused by
  // `reader`. Lets a test assert that something did not arrive without waiting a fixed time.
  bool WaitUntilRead(const TestNode& reader, const TestNode& writer,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

  void MakeFile(const std::filesystem::path& path, const std::string& content,
                std::filesystem::perms mode = std::filesystem::perms(0644));

 private:
  // Spawns edgesyncd for `node` on node.peer_port; Start waits for it.
  void LaunchDaemon(TestNode& node, const std::vector<const TestNode*>& peers,
                    const std::vector<std::string>& extra_args);

  std::filesystem::path root_;
  std::map<std::string, std::unique_ptr<TestNode>> nodes_;
  int gets_ = 0;
};

}  // namespace edgesync::testing
