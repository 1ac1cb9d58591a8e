// A put shows its progress while it runs, and SIGTERM cancels a running put cleanly: the
// client is told, the daemon exits 0, and after a restart nothing of the put is visible while
// the store takes the next put as usual.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "control/control_client.h"
#include "daemon_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PutProgressTest : public DaemonFixture {};

// A sparse file: no disk used, yet the daemon reads, hashes and chunks every byte, which takes
// seconds at any speed this suite runs at.
void MakeSparseFile(const fs::path& path, off_t size) {
  fs::create_directories(path.parent_path());
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, size), 0);
  ::close(fd);
}

TEST_F(PutProgressTest, ReportsProgressAndSigtermCancelsItCleanly) {
  constexpr off_t kSize = off_t{4} << 30;
  MakeSparseFile(root() / "big" / "weights.bin", kSize);
  StartDaemon();

  std::mutex mu;
  std::vector<std::pair<uint64_t, uint64_t>> progress;  // (done, total) as reported
  std::atomic<bool> midway{false};
  Result<ControlResponse> answer = Status::Aborted("no answer yet");
  std::thread client([&] {
    Result<ControlClient> connection = ControlClient::Connect(socket_path());
    if (!connection.ok()) {
      answer = connection.status();
      midway = true;
      return;
    }
    answer = connection->Call("put", {{"key", "model/big"}, {"path", (root() / "big").string()}},
                              [&](const ControlResponse& line) {
                                if (line.kind != ControlResponse::Kind::kProgress) return;
                                const uint64_t done = line.body.value("done", uint64_t{0});
                                const uint64_t total = line.body.value("total", uint64_t{0});
                                std::lock_guard<std::mutex> lock(mu);
                                progress.emplace_back(done, total);
                                if (done > 0 && done < total && progress.size() >= 3) midway = true;
                              });
    midway = true;  // answered: wake the waiter either way
  });
  ASSERT_TRUE(PollUntil([&] { return midway.load(); }, std::chrono::seconds(60)));
  daemon().Signal(SIGTERM);
  client.join();

  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_GE(progress.size(), 3u) << "the put ended before it reported progress";
    for (size_t i = 0; i < progress.size(); ++i) {
      EXPECT_EQ(progress[i].second, static_cast<uint64_t>(kSize)) << "line " << i;
      if (i > 0) {
        EXPECT_GE(progress[i].first, progress[i - 1].first) << "line " << i;
      }
    }
    EXPECT_LT(progress.back().first, static_cast<uint64_t>(kSize));
  }
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->kind, ControlResponse::Kind::kError);
  EXPECT_NE(answer->error_message.find("cancelled"), std::string::npos) << answer->error_message;

  std::optional<int> code = daemon().Wait(std::chrono::seconds(20));
  ASSERT_TRUE(code.has_value()) << "edgesyncd did not exit after SIGTERM";
  EXPECT_EQ(*code, 0) << DaemonLog();

  StartDaemon();
  ProcessResult ls = Cli({"ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out.find("model/big"), std::string::npos) << ls.out;
  MakeFile(root() / "small" / "weights.bin", std::string(100000, 'w'));
  ProcessResult put = Cli({"put", "model/big", (root() / "small").string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  ProcessResult history = Cli({"history", "model/big", "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  json versions = json::parse(history.out, nullptr, false);
  ASSERT_TRUE(versions.contains("versions")) << history.out;
  EXPECT_EQ(versions["versions"].size(), 1u) << history.out;
}

}  // namespace
}  // namespace edgesync::testing
