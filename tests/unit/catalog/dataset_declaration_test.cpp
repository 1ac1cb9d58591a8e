#include "catalog/dataset_declaration.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

std::string ErrorOf(std::string_view text) {
  auto declared = DatasetDeclaration::Parse(text);
  return declared.ok() ? "ok" : declared.status().message();
}

TEST(DatasetDeclarationTest, ReadsEveryField) {
  auto declared = DatasetDeclaration::Parse(
      R"({"kind":"dataset","format":"csv","label_column":"species",)"
      R"("splits":{"train":"data/train.csv","test":"data/test.csv"},"source":{"nodeName":"edge-1"}})");
  ASSERT_TRUE(declared.ok()) << declared.status().ToString();
  EXPECT_EQ(declared->format, "csv");
  EXPECT_EQ(declared->label_column, "species");
  EXPECT_EQ(declared->splits, (std::map<std::string, std::string>{{"test", "data/test.csv"},
                                                                  {"train", "data/train.csv"}}));
  EXPECT_EQ(declared->source.node_name, "edge-1");
  EXPECT_EQ(*DatasetDeclaration::Parse("{}"), DatasetDeclaration{});
}

TEST(DatasetDeclarationTest, RefusesUnknownAndInvalidFields) {
  EXPECT_EQ(ErrorOf(R"({"label":"species"})"),
            "dataset spec: unknown field 'label' (known: kind, format, label_column, splits, source)");
  EXPECT_EQ(ErrorOf(R"({"delimiter":";"})"),
            "dataset spec: unknown field 'delimiter' (known: kind, format, label_column, splits, source)");
  EXPECT_EQ(ErrorOf(R"({"kind":"model"})"), "dataset spec: field 'kind' must be \"dataset\"");
  EXPECT_EQ(ErrorOf(R"({"format":"parquet"})"),
            "dataset spec: field 'format' 'parquet' is not a dataset format (csv, txt-index, "
            "txt-boxes, voc-xml, coco-json, yolo-txt)");
  EXPECT_EQ(ErrorOf(R"({"label_column":3})"), "dataset spec: field 'label_column' must be a string");
  EXPECT_EQ(ErrorOf(R"({"label_column":""})"), "dataset spec: field 'label_column' must not be empty");
  EXPECT_EQ(ErrorOf(R"({"format":"voc-xml","label_column":"x"})"),
            "dataset spec: field 'label_column' applies only to the csv format, not voc-xml");
  EXPECT_EQ(ErrorOf(R"({"splits":["train.csv"]})"),
            "dataset spec: field 'splits' must be an object of split name -> file path");
  EXPECT_EQ(ErrorOf(R"({"splits":{"Train":"a.csv"}})"),
            "dataset spec: field 'splits.Train' has an invalid split name (use 1-63 of a-z, 0-9, '-', '_')");
  EXPECT_TRUE(ErrorOf(R"({"splits":{"train":"../a.csv"}})")
                  .starts_with("dataset spec: field 'splits.train': path '../a.csv' "));
  EXPECT_EQ(ErrorOf(R"({"source":{"url":3}})"), "dataset spec: field 'source.url' must be a string");
  EXPECT_EQ(ErrorOf("[1]"), "dataset spec must be a JSON object");
  EXPECT_EQ(ErrorOf("nope"), "dataset spec is not valid JSON");
}

TEST(DatasetDeclarationTest, SplitsMustNameFilesOfTheDataset) {
  DatasetDeclaration declared;
  declared.splits = {{"train", "train.csv"}, {"test", "test.csv"}};
  EXPECT_TRUE(declared.ValidateSplitFiles({"train.csv", "test.csv", "README"}).ok());
  EXPECT_EQ(declared.ValidateSplitFiles({"train.csv"}).message(),
            "dataset spec: field 'splits.test' names 'test.csv', which is not a file of the dataset");
}

}  // namespace
}  // namespace edgesync
