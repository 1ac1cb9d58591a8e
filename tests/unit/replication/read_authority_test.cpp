// ReadAuthority: the reader is its certificate, refusals are all counted and logged at most
// kRefusalLinesPerMinute lines a minute.
#include "replication/read_authority.h"

#include <gtest/gtest.h>

namespace edgesync::replication {
namespace {

TEST(ReadAuthorityTest, TheReaderIsWhatItsCertificateSaysNotItsHello) {
  transport::PeerInfo peer;
  peer.node_id = "edge-1";
  peer.role = "edge";
  peer.labels = {{"site", "b"}, {"role", "cloud"}};  // claimed in its Hello
  peer.certified_labels = {{"site", "a"}};
  const CertifiedReader reader = ReadAuthority::ReaderOf(peer);
  EXPECT_EQ(reader.node_id, "edge-1");
  EXPECT_EQ(reader.role, "edge");
  EXPECT_EQ(reader.labels, (std::map<std::string, std::string>{{"site", "a"}}));
}

TEST(ReadAuthorityTest, RefusalsAreAllCountedButLoggedAtMostTwentyLinesAMinute) {
  std::vector<std::string> lines;
  std::map<ReadRefusal, uint64_t> counted;
  ReadAuthorityOptions options;
  options.log = [&](int, const std::string& line) { lines.push_back(line); };
  options.on_refused = [&](ReadRefusal kind, uint64_t count) { counted[kind] += count; };
  ReadAuthority authority(options);
  for (int i = 0; i < 25; ++i)
    authority.Refused(ReadRefusal::kChunk, "hostile-a", "dataset/site-b/frames", 2, "no read rule grants it");
  authority.Count(ReadRefusal::kChanges, 7);
  EXPECT_EQ(counted[ReadRefusal::kChunk], 50u);
  EXPECT_EQ(counted[ReadRefusal::kChanges], 7u);
  ASSERT_EQ(lines.size(), kRefusalLinesPerMinute);
  EXPECT_EQ(lines[0], "read refused (chunk, 2) to peer hostile-a: dataset/site-b/frames: no read rule grants it");
  EXPECT_STREQ(ReadRefusalName(ReadRefusal::kManifest), "manifest");
}

}  // namespace
}  // namespace edgesync::replication
