// `ls` in pages: the control method's limit/after/next cursor, and the CLI following it.
#include <sstream>

#include <nlohmann/json.hpp>

#include "daemon_fixture.h"
#include "control/control_client.h"

namespace edgesync::testing {
namespace {

using nlohmann::json;

class CliPagedLsTest : public DaemonFixture {
 protected:
  // Seven metadata documents, meta/k0..meta/k6 (sorted as written).
  std::vector<std::string> MakeKeys() {
    std::vector<std::string> keys;
    for (int i = 0; i < 7; ++i) {
      keys.push_back("meta/k" + std::to_string(i));
      ProcessResult set = Cli({"meta", "set", keys.back(), "n=" + std::to_string(i)});
      EXPECT_EQ(set.exit_code, 0) << set.err;
    }
    return keys;
  }
};

TEST_F(CliPagedLsTest, ControlMethodPagesFollowTheCursor) {
  StartDaemon();
  std::vector<std::string> keys = MakeKeys();
  Result<ControlClient> client = ControlClient::Connect(socket_path());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  std::vector<std::string> listed;
  json params = {{"prefix", "meta/"}, {"limit", 3}};
  int pages = 0;
  for (;;) {
    Result<ControlResponse> page = client->Call("ls", params, [](const ControlResponse&) {});
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_EQ(page->kind, ControlResponse::Kind::kResult) << page->error_message;
    ++pages;
    EXPECT_LE(page->body["objects"].size(), 3u);
    for (const json& object : page->body["objects"]) listed.push_back(object["key"]);
    if (!page->body.contains("next")) break;
    EXPECT_EQ(page->body["next"], listed.back());
    params["after"] = page->body["next"];
    ASSERT_LT(pages, 10) << "the cursor does not advance";
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed, keys);

  Result<ControlResponse> bad = client->Call("ls", {{"limit", 0}}, [](const ControlResponse&) {});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->kind, ControlResponse::Kind::kError);
  EXPECT_EQ(bad->error_code, "invalid_argument");
}

TEST_F(CliPagedLsTest, CliListsEveryKeyOnceAcrossPages) {
  StartDaemon();
  std::vector<std::string> keys = MakeKeys();

  ProcessResult as_json = Cli({"ls", "meta/", "--json", "--page-size", "2"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  json document = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(document.is_object()) << as_json.out;
  std::vector<std::string> listed;
  for (const json& object : document["objects"]) listed.push_back(object["key"]);
  EXPECT_EQ(listed, keys);

  ProcessResult human = Cli({"ls", "meta/", "--page-size", "3"});
  ASSERT_EQ(human.exit_code, 0) << human.err;
  std::istringstream lines(human.out);
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), keys.size() + 1) << human.out;  // one header, then one row per key
  EXPECT_EQ(rows[0].rfind("KEY", 0), 0u) << human.out;
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(rows[i + 1].rfind(keys[i] + " ", 0), 0u) << human.out;
  }
}

}  // namespace
}  // namespace edgesync::testing
