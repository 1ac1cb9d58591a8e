#include "cli/cli_output.h"

#include <gtest/gtest.h>

#include <sstream>

namespace edgesync {
namespace {

using nlohmann::json;

// The shape of the daemon's `select` answer with models that have metrics: printing it used to
// throw nlohmann invalid_iterator.212 (iterators of two temporaries compared).
TEST(CliOutputTest, SelectionPrintsEveryModelWithItsMetrics) {
  json result = {{"models",
                  {{{"key", "model/helmet"}, {"version", "1f0c"}, {"task", "detection"},
                    {"labels", {"helmet"}}, {"metrics", {{"mAP", 0.81}, {"recall", 0.7}}}},
                   {{"key", "model/cat"}, {"version", "2a3b"}, {"task", "classification"},
                    {"labels", json::array()}, {"metrics", json::object()}}}}};
  std::ostringstream out;
  ASSERT_NO_THROW(PrintSelection(result, out));
  std::istringstream lines(out.str());
  std::string header, helmet, cat, extra;
  ASSERT_TRUE(std::getline(lines, header));
  ASSERT_TRUE(std::getline(lines, helmet));
  ASSERT_TRUE(std::getline(lines, cat));
  EXPECT_FALSE(std::getline(lines, extra));
  EXPECT_EQ(header.rfind("KEY", 0), 0u) << header;
  EXPECT_EQ(helmet.rfind("model/helmet", 0), 0u) << helmet;
  EXPECT_NE(helmet.find("mAP=0.81 recall=0.7"), std::string::npos) << helmet;
  EXPECT_EQ(cat.rfind("model/cat", 0), 0u) << cat;
  EXPECT_EQ(cat.substr(cat.size() - 1), "-") << cat;
}

TEST(CliOutputTest, LaterListPagesHaveNoHeader) {
  json page = {{"objects", {{{"key", "meta/a"}, {"version", "v1"}, {"heads", 1}}}}};
  std::ostringstream first, later;
  PrintObjectListPage(page, true, first);
  PrintObjectListPage(page, false, later);
  EXPECT_EQ(first.str().rfind("KEY", 0), 0u) << first.str();
  EXPECT_EQ(later.str().rfind("meta/a", 0), 0u) << later.str();
  EXPECT_EQ(first.str().substr(first.str().find('\n') + 1).size(), later.str().size());
}

}  // namespace
}  // namespace edgesync
