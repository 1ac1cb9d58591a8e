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

// Found by fuzz_manifest: a peer's manifest nested ~200k levels deep overflowed the stack when
// its spec was re-serialized. Such a manifest is refused before it is built.
// A hostile peer's manifest with a name no file system holds is refused on receipt, so the
// version can never be accepted and then fail every get.
TEST(ManifestTest, RefusesNamesTheFileSystemCannotHold) {
  Manifest m = Sample();
  m.files[0].path = "bin/" + std::string(255, 'n');
  EXPECT_TRUE(Manifest::Decode(m.Encode()).ok());
  m.files[0].path = "bin/" + std::string(256, 'n');
  Result<Manifest> too_long = Manifest::Decode(m.Encode());
  EXPECT_EQ(too_long.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(too_long.status().message().find("256 bytes"), std::string::npos)
      << too_long.status().message();
  m.files[0].path = std::string(256, 'd') + "/run.sh";
  EXPECT_EQ(Manifest::Decode(m.Encode()).status().code(), Status::Code::kInvalidArgument);
}

TEST(ManifestTest, RefusesDeeplyNestedManifests) {
  const size_t levels = 200000;
  std::string deep = R"({"format":1,"files":[],"spec":{"a":)" + std::string(levels, '[') +
                     std::string(levels, ']') + "}}";
  Result<Manifest> decoded = Manifest::Decode(deep);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption);
  EXPECT_NE(decoded.status().message().find("nested too deeply"), std::string::npos);
  EXPECT_FALSE(CanonicalJsonObject(R"({"a":)" + std::string(levels, '[') + std::string(levels, ']') + "}").ok());
  // Ordinary nesting still decodes.
  Manifest m = Sample();
  m.spec_json = R"({"metrics":{"mAP":{"value":0.8,"at":[[0.5,0.95]]}}})";
  EXPECT_TRUE(Manifest::Decode(m.Encode()).ok());
}

// Found by fuzz_manifest (UBSan): a chunk size of 4.9e29 was converted to uint32_t with undefined
// behavior, and a size of 2^32 + 5 silently became 5. Sizes and modes must be unsigned integers
// that fit their field.
TEST(ManifestTest, RefusesSizesThatAreNotUnsignedIntegers) {
  const std::string id = ChunkId::Of("hello", 5).Hex();
  auto with_chunk_size = [&](const std::string& size) {
    return R"({"files":[{"chunks":[[")" + id + R"(",)" + size +
           R"(]],"mode":420,"path":"a","sha256":")" + std::string(64, 'a') +
           R"(","size":5}],"format":1,"spec":{}})";
  };
  EXPECT_TRUE(Manifest::Decode(with_chunk_size("5")).ok());
  for (const char* bad : {"4.9e29", "5.0", "-5", "4294967301"}) {
    Result<Manifest> decoded = Manifest::Decode(with_chunk_size(bad));
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption) << bad;
  }
  std::string mode_wraps = Sample().Encode();
  mode_wraps.replace(mode_wraps.find("\"mode\":493"), 10, "\"mode\":4294967789");  // 2^32 + 0755
  EXPECT_FALSE(Manifest::Decode(mode_wraps).ok());
  std::string float_format = Sample().Encode();
  float_format.replace(float_format.find("\"format\":1"), 10, "\"format\":1e30");
  EXPECT_FALSE(Manifest::Decode(float_format).ok());
}

}  // namespace
}  // namespace edgesync
