#include "control/command_dispatcher.h"

#include <gtest/gtest.h>

#include <thread>

#include "control/command_params.h"

namespace edgesync {
namespace {

TEST(CommandDispatcherTest, FindsRegisteredMethods) {
  CommandDispatcher dispatcher;
  dispatcher.Register("echo", CommandLane::kQuick,
                      [](const nlohmann::json& params, CommandContext&) -> Result<nlohmann::json> {
                        return params;
                      });
  ASSERT_NE(dispatcher.Find("echo"), nullptr);
  EXPECT_EQ(dispatcher.Find("nope"), nullptr);
  CommandContext context;
  auto result = dispatcher.Find("echo")->handler({{"a", 1}}, context);
  EXPECT_EQ((*result)["a"], 1);
  EXPECT_EQ(dispatcher.Methods(), std::vector<std::string>{"echo"});
}

TEST(CommandDispatcherTest, CancellationWakesWaiters) {
  CancellationToken token;
  EXPECT_FALSE(token.WaitFor(std::chrono::milliseconds(1)));
  std::thread waker([&] { token.Wake(); });
  EXPECT_FALSE(token.WaitFor(std::chrono::seconds(10)));
  waker.join();
  std::thread canceller([&] { token.Cancel(); });
  EXPECT_TRUE(token.WaitFor(std::chrono::seconds(10)));
  canceller.join();
  EXPECT_TRUE(token.cancelled());
}

TEST(CommandParamsTest, ValidatesKeysAndPaths) {
  EXPECT_TRUE(RequireKey({{"key", "model/a"}}).ok());
  Status escaping = RequireKey({{"key", "../x"}}).status();
  EXPECT_EQ(escaping.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(escaping.message().find("../x"), std::string::npos);
  EXPECT_FALSE(RequireKey(nlohmann::json::object()).ok());
  EXPECT_FALSE(RequireAbsolutePath({{"dest", "rel/dir"}}, "dest").ok());
  EXPECT_EQ(*RequireAbsolutePath({{"dest", "/a/./b"}}, "dest"), "/a/b");
}

}  // namespace
}  // namespace edgesync
