// Hooks and health commands: run without a shell in a clean environment, killed with what they
// started when the time is up, their output bounded however much they print.
#include <gtest/gtest.h>

#include "checkout/hook_runner.h"

namespace edgesync {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

TEST(HookRunnerTest, RunsTheArgvDirectlyWithACleanEnvironment) {
  ::setenv("EDGESYNC_TEST_LEAK", "from the daemon", 1);
  auto r = RunHook({"/usr/bin/env"}, {"EDGESYNC_VERSION=abc"}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_NE(r->output.find("EDGESYNC_VERSION=abc"), std::string::npos);
  EXPECT_NE(r->output.find("PATH="), std::string::npos);
  EXPECT_EQ(r->output.find("EDGESYNC_TEST_LEAK"), std::string::npos) << r->output;
  // No shell: the words are arguments, not a command line.
  auto echo = RunHook({"echo", "$HOME", ";", "false"}, {}, {});
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(echo->output, "$HOME ; false\n");
  EXPECT_EQ(echo->exit_code, 0);
}

TEST(HookRunnerTest, ExitCodesAndMissingCommands) {
  auto failed = RunHook({"sh", "-c", "echo first; echo last words; exit 3"}, {}, {});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->exit_code, 3);
  EXPECT_EQ(DescribeHookFailure(*failed), "exit 3: last words");
  auto missing = RunHook({"/nonexistent/check"}, {}, {});
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  EXPECT_FALSE(RunHook({}, {}, {}).ok());
}

TEST(HookRunnerTest, AHangingCommandAndWhatItStartedAreKilledAtTheDeadline) {
  const auto start = Clock::now();
  auto r = RunHook({"sh", "-c", "sleep 30 & sleep 30"}, {}, {milliseconds(300)});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(DescribeHookFailure(*r), "timed out");
}

TEST(HookRunnerTest, OutputIsBoundedAndTheCommandIsNotBlocked) {
  // 64 MiB of output: kept to the limit, the rest read and dropped, the command finishes.
  auto r = RunHook({"sh", "-c", "head -c 67108864 /dev/zero | tr '\\0' x; echo; exit 0"}, {}, {milliseconds(20'000), 1000});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->output.size(), 1000u);
  EXPECT_TRUE(r->truncated);
}

TEST(HookRunnerTest, CancellationStopsTheCommand) {
  const auto start = Clock::now();
  auto r = RunHook({"sleep", "30"}, {}, {milliseconds(30'000), 1024, [&] { return Clock::now() - start > milliseconds(200); }});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
}

}  // namespace
}  // namespace edgesync
