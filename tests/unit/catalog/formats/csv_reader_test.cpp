#include "catalog/formats/csv_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/catalog/formats/temp_tree.h"

namespace edgesync::formats {
namespace {

DatasetStats Parse(std::string_view text, std::string_view label = "label") {
  DatasetStats stats;
  ParseCsv(text, "d.csv", label, stats);
  return stats;
}

TEST(CsvReaderTest, CountsRecordsAndLabels) {
  auto stats = Parse("path,label\na.jpg,cat\nb.jpg,dog\nc.jpg,cat\n");
  EXPECT_EQ(stats.samples, 3u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"cat", 2}, {"dog", 1}}));
  EXPECT_TRUE(stats.problems.empty());
}

TEST(CsvReaderTest, HandlesRfc4180QuotingAndCrlf) {
  auto stats = Parse(
      "text,label\r\n"
      "\"hello, world\",\"a,b\"\r\n"
      "\"she said \"\"hi\"\"\",quote\r\n"
      "\"two\nlines\",multi\r\n"
      "plain,\"x\"\"y\"\r\n");
  EXPECT_EQ(stats.samples, 4u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"a,b", 1}, {"quote", 1}, {"multi", 1}, {"x\"y", 1}}));
  EXPECT_TRUE(stats.problems.empty()) << stats.problems[0].ToString();
}

TEST(CsvReaderTest, SkipsBlankLinesAndBom) {
  auto stats = Parse("\xEF\xBB\xBFlabel,n\n\ncat,1\n\r\ndog,2");
  EXPECT_EQ(stats.samples, 2u);
  EXPECT_EQ(stats.classes.size(), 2u);
  EXPECT_TRUE(stats.problems.empty());
}

TEST(CsvReaderTest, NoLabelColumnMeansNoHistogram) {
  auto stats = Parse("a,b\n1,2\n3,4\n", "");
  EXPECT_EQ(stats.samples, 2u);
  EXPECT_TRUE(stats.classes.empty());
  EXPECT_TRUE(stats.problems.empty());
}

TEST(CsvReaderTest, ReportsFieldCountMismatchWithTheRecordLine) {
  auto stats = Parse("a,label\n\"x\ny\",cat\n1,dog,extra\n");
  EXPECT_EQ(stats.samples, 2u);
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].file, "d.csv");
  EXPECT_EQ(stats.problems[0].line, 4u);  // the second record starts after the quoted newline
  EXPECT_EQ(stats.problems[0].message, "record has 3 fields, the header has 2");
}

TEST(CsvReaderTest, ReportsUnterminatedQuote) {
  auto stats = Parse("a,label\n1,cat\n2,\"dog\n3,cow\n");
  EXPECT_EQ(stats.samples, 2u);
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].line, 3u);
  EXPECT_EQ(stats.problems[0].message, "unterminated quoted field (opened on line 3)");
}

TEST(CsvReaderTest, ReportsStrayQuotes) {
  auto stats = Parse("a,label\nab\"c,cat\n\"x\"y,dog\n");
  ASSERT_EQ(stats.problems.size(), 2u);
  EXPECT_EQ(stats.problems[0].line, 2u);
  EXPECT_EQ(stats.problems[0].message, "quote character inside an unquoted field");
  EXPECT_EQ(stats.problems[1].line, 3u);
  EXPECT_EQ(stats.problems[1].message, "unexpected character after a closing quote");
}

TEST(CsvReaderTest, ReportsMissingLabelColumnAndEmptyLabels) {
  auto missing = Parse("a,b\n1,2\n", "label");
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_EQ(missing.problems[0].line, 1u);
  EXPECT_EQ(missing.problems[0].message, "no column named 'label' in the header");

  auto empty = Parse("x,label\n1,\n2\n");
  ASSERT_EQ(empty.problems.size(), 3u);
  EXPECT_EQ(empty.problems[0].message, "missing or empty label in column 'label'");
  EXPECT_EQ(empty.problems[0].line, 2u);
  EXPECT_EQ(empty.problems[1].message, "record has 1 fields, the header has 2");
  EXPECT_EQ(empty.problems[2].line, 3u);
  EXPECT_TRUE(empty.classes.empty());
}

TEST(CsvReaderTest, ReportsEmptyFile) {
  for (std::string_view text : {"", "\n\r\n", "\xEF\xBB\xBF"}) {
    auto stats = Parse(text);
    EXPECT_EQ(stats.samples, 0u);
    ASSERT_EQ(stats.problems.size(), 1u);
    EXPECT_EQ(stats.problems[0].message, "empty file: no header record");
  }
}

TEST(CsvReaderTest, BinaryGarbageDoesNotCrash) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 131) % 256));
  auto stats = Parse(garbage);
  EXPECT_NO_THROW(stats.ToJson().dump());
}

TEST(CsvReaderTest, ReadsEveryCsvFileOfTheTree) {
  testing::TempTree t;
  t.Write("train.csv", "img,label\na,cat\nb,dog\n");
  t.Write("sub/test.CSV", "img,label\nc,cat\n");
  t.Write("notes.txt", "ignored");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok());
  ReadCsvDataset(*tree, "label", stats);
  EXPECT_EQ(stats.samples, 3u);
  EXPECT_EQ(stats.classes["cat"], 2u);
  EXPECT_EQ(stats.files, 3u);
}

}  // namespace
}  // namespace edgesync::formats
