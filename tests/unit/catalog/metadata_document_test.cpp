#include "catalog/metadata_document.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

using json = nlohmann::json;

TEST(MetadataDocumentTest, SetDeleteAndView) {
  MetadataDocument doc;
  doc.Set("owner", "ana", {10, "n1"});
  doc.Set("threshold", 0.5, {11, "n1"});
  doc.Delete("owner", {12, "n1"});
  doc.Set("threshold", 0.9, {5, "n1"});  // older stamp: ignored
  EXPECT_EQ(doc.View(), json({{"threshold", 0.5}}));
  EXPECT_EQ(doc.ToCanonicalJson(),
            R"({"fields":{"owner":{"deleted":true,"hlc":12,"node":"n1"},)"
            R"("threshold":{"hlc":11,"node":"n1","value":0.5}},"kind":"meta"})");
  auto back = MetadataDocument::Parse(doc.ToCanonicalJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, doc);
}

TEST(MetadataDocumentTest, MergeIsFieldWiseAndDeterministic) {
  MetadataDocument a, b, c;
  a.Set("x", 1, {10, "a"});
  a.Set("y", "left", {20, "a"});
  b.Set("x", 2, {10, "b"});  // same hlc, node b > a: wins
  b.Delete("y", {21, "b"});  // tombstone newer: wins
  b.Set("z", true, {1, "b"});
  c.Set("y", "late", {30, "c"});

  auto ab = MergeDocuments(a, b);
  EXPECT_EQ(ab.View(), json({{"x", 2}, {"z", true}}));
  EXPECT_TRUE(ab.fields().at("y").deleted);
  EXPECT_EQ(MergeDocuments(b, a), ab);                       // commutative
  EXPECT_EQ(MergeDocuments(ab, ab), ab);                     // idempotent
  EXPECT_EQ(MergeDocuments(MergeDocuments(a, b), c), MergeDocuments(a, MergeDocuments(b, c)));
  EXPECT_EQ(MergeDocuments(ab, c).View(), json({{"x", 2}, {"y", "late"}, {"z", true}}));
}

TEST(MetadataDocumentTest, EqualStampsResolveTheSameWayEverywhere) {
  MetadataDocument a, b;
  a.Set("k", "apple", {7, "n"});
  b.Set("k", "pear", {7, "n"});
  EXPECT_EQ(MergeDocuments(a, b).View(), json({{"k", "pear"}}));
  EXPECT_EQ(MergeDocuments(b, a).View(), json({{"k", "pear"}}));
  MetadataDocument del;
  del.Delete("k", {7, "n"});
  EXPECT_TRUE(MergeDocuments(a, del).fields().at("k").deleted);
}

TEST(MetadataDocumentTest, ParseErrors) {
  EXPECT_EQ(MetadataDocument::Parse(R"({"fields":{"x":{"node":"n","value":1}}})").status().message(),
            "metadata document: field 'x' needs an unsigned 'hlc'");
  EXPECT_EQ(MetadataDocument::Parse(R"({"fields":{"x":{"hlc":1,"node":"n"}}})").status().message(),
            "metadata document: field 'x' needs a 'value' or 'deleted': true");
  EXPECT_EQ(MetadataDocument::Parse(R"({"kind":"model"})").status().message(),
            "metadata document: field 'kind' must be \"meta\"");
  EXPECT_TRUE(MetadataDocument::Parse("{}").ok());
  EXPECT_EQ(MetadataDocument::ValidateFieldName("").message(), "metadata field name is empty");
}

}  // namespace
}  // namespace edgesync
