#include "status/dashboard/dashboard_page.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

namespace edgesync {
namespace {

TEST(DashboardPageTest, IsOneHtmlDocumentWithStyleAndScriptInlined) {
  std::string page(DashboardPage());
  ASSERT_EQ(page.rfind("<!doctype html>", 0), 0u) << page.substr(0, 80);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  EXPECT_NE(page.find("<style>"), std::string::npos);
  EXPECT_NE(page.find("new WebSocket("), std::string::npos);
  // The build replaced both placeholders.
  EXPECT_EQ(page.find("<link rel=\"stylesheet\""), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
}

// Only inline data: references (the empty favicon that keeps browsers from asking for one).
TEST(DashboardPageTest, LoadsNothingFromElsewhere) {
  std::string page(DashboardPage());
  std::regex reference(R"re(\b(src|href)=["']?([^"' >]*))re");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), reference);
       it != std::sregex_iterator(); ++it) {
    EXPECT_EQ((*it)[2].str().rfind("data:", 0), 0u) << (*it)[0];
  }
  for (const char* loader : {"url(", "@import", "fetch(", "XMLHttpRequest", "<iframe"}) {
    EXPECT_EQ(page.find(loader), std::string::npos) << loader;
  }
}

// Every element the script looks up by id exists in the markup, so a renamed section cannot
// silently leave the page blank.
TEST(DashboardPageTest, EveryIdTheScriptUsesExists) {
  std::string page(DashboardPage());
  std::set<std::string> ids;
  std::regex id_attribute(R"re(\bid="([A-Za-z0-9_-]+)")re");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), id_attribute);
       it != std::sregex_iterator(); ++it) {
    ids.insert((*it)[1]);
  }
  std::regex lookup(R"re(\$\('([A-Za-z0-9_-]+)'\))re");
  size_t lookups = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), lookup);
       it != std::sregex_iterator(); ++it, ++lookups) {
    EXPECT_TRUE(ids.count((*it)[1])) << "app.js uses #" << (*it)[1] << ", index.html lacks it";
  }
  EXPECT_GT(lookups, 10u);
}

}  // namespace
}  // namespace edgesync
