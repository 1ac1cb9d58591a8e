#include "store/manifest.h"

#include <gtest/gtest.h>

namespace edgesync {
namespace {

Manifest Sample() {
  Manifest m;
  m.spec_json = R"({"task":"object_detection"})";
  FileEntry f;
  f.path = "bin/run.sh";
  f.size = 5;
  f.mode = 0755;
  f.sha256 = std::string(64, 'a');
  f.chunks.push_back({ChunkId::Of("hello", 5), 5});
  m.files.push_back(f);
  return m;
}

TEST(ManifestTest, RoundTripIsCanonical) {
  Manifest m = Sample();
  std::string enc = m.Encode();
  auto back = Manifest::Decode(enc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->Encode(), enc);
  auto spec = CanonicalJsonObject(R"({ "b": 1, "a": [1, 2] })");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(*spec, R"({"a":[1,2],"b":1})");
}

TEST(ManifestTest, RejectsLies) {
  Manifest m = Sample();
  m.files[0].path = "../../etc/passwd";
  EXPECT_EQ(Manifest::Decode(m.Encode()).status().code(), Status::Code::kInvalidArgument);
  m = Sample();
  m.files[0].size = 6;  // chunk sizes do not add up
  EXPECT_NE(Manifest::Decode(m.Encode()).status().message().find("do not add up"), std::string::npos);
  m = Sample();
  m.files.push_back(m.files[0]);  // duplicate path
  EXPECT_FALSE(Manifest::Decode(m.Encode()).ok());
  EXPECT_FALSE(Manifest::Decode("not json").ok());
  EXPECT_FALSE(Manifest::Decode("{}").ok());
  EXPECT_FALSE(CanonicalJsonObject("[1]").ok());
}

}  // namespace
}  // namespace edgesync
