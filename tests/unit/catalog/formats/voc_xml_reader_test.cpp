#include "catalog/formats/voc_xml_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/catalog/formats/temp_tree.h"

namespace edgesync::formats {
namespace {

constexpr std::string_view kGood = R"(<annotation>
  <filename>0001.jpg</filename>
  <size><width>640</width><height>480</height><depth>3</depth></size>
  <object><name>helmet</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>30</xmax><ymax>40</ymax></bndbox></object>
  <object><name> head </name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>9</xmax><ymax>9</ymax></bndbox></object>
  <object><name>helmet</name></object>
</annotation>
)";

TEST(VocXmlReaderTest, CountsObjectsPerClass) {
  DatasetStats stats;
  EXPECT_TRUE(ParseVocXml(kGood, "Annotations/0001.xml", stats));
  EXPECT_EQ(stats.samples, 1u);
  EXPECT_EQ(stats.objects, 3u);
  EXPECT_EQ(stats.classes, (decltype(stats.classes){{"head", 1}, {"helmet", 2}}));
  EXPECT_TRUE(stats.problems.empty());
}

TEST(VocXmlReaderTest, ReportsMalformedXmlWithOffsetAndLine) {
  DatasetStats stats;
  EXPECT_FALSE(ParseVocXml("<annotation>\n<object><name>a</name>\n</annotation>\n", "bad.xml", stats));
  EXPECT_EQ(stats.samples, 0u);
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].file, "bad.xml");
  EXPECT_EQ(stats.problems[0].line, 3u);
  EXPECT_NE(stats.problems[0].message.find("XML parse error at offset"), std::string::npos);
  EXPECT_NE(stats.problems[0].message.find("mismatch"), std::string::npos) << stats.problems[0].message;
}

TEST(VocXmlReaderTest, ReportsTruncatedAndEmptyFiles) {
  DatasetStats stats;
  EXPECT_FALSE(ParseVocXml(kGood.substr(0, 60), "cut.xml", stats));
  EXPECT_FALSE(ParseVocXml("", "empty.xml", stats));
  ASSERT_EQ(stats.problems.size(), 2u);
  EXPECT_EQ(stats.problems[0].file, "cut.xml");
  EXPECT_NE(stats.problems[0].message.find("XML parse error"), std::string::npos);
  EXPECT_EQ(stats.problems[1].line, 1u);
  EXPECT_NE(stats.problems[1].message.find("No document element found"), std::string::npos)
      << stats.problems[1].message;
  EXPECT_EQ(stats.samples, 0u);
}

TEST(VocXmlReaderTest, ReportsObjectsWithoutNameOrWithBadBoxes) {
  DatasetStats stats;
  EXPECT_TRUE(ParseVocXml(
      "<annotation><object><name/></object>"
      "<object><name>a</name><bndbox><xmin>9</xmin><ymin>1</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object>"
      "<object><name>b</name><bndbox><xmin>x</xmin></bndbox></object></annotation>",
      "f.xml", stats));
  EXPECT_EQ(stats.samples, 1u);
  EXPECT_EQ(stats.objects, 0u);
  ASSERT_EQ(stats.problems.size(), 3u);
  EXPECT_EQ(stats.problems[0].element, "annotation/object[1]/name");
  EXPECT_EQ(stats.problems[0].message, "object without a class name");
  EXPECT_EQ(stats.problems[1].element, "annotation/object[2]/bndbox");
  EXPECT_EQ(stats.problems[1].message, "bndbox xmax < xmin");
  EXPECT_EQ(stats.problems[2].message, "bndbox/xmin is missing or not a number");
}

TEST(VocXmlReaderTest, ReportsWrongRootElement) {
  DatasetStats stats;
  EXPECT_FALSE(ParseVocXml("<svg/>", "pic.xml", stats));
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].message, "no <annotation> root element");
}

TEST(VocXmlReaderTest, ReadsEveryXmlFileOfTheTree) {
  testing::TempTree t;
  t.Write("Annotations/1.xml", kGood);
  t.Write("Annotations/2.xml", kGood);
  t.Write("Annotations/3.xml", "<annotation><object>");
  t.Write("JPEGImages/1.jpg", "");
  DatasetStats stats;
  auto tree = DatasetTree::Scan(t.root(), stats);
  ASSERT_TRUE(tree.ok());
  ReadVocXmlDataset(*tree, stats);
  EXPECT_EQ(stats.samples, 2u);
  EXPECT_EQ(stats.objects, 6u);
  ASSERT_EQ(stats.problems.size(), 1u);
  EXPECT_EQ(stats.problems[0].file, "Annotations/3.xml");
}

}  // namespace
}  // namespace edgesync::formats
