// Packs are self-describing: what the builder seals, the footer and index decoders read back,
// and a damaged footer or index is refused rather than trusted.
#include <gtest/gtest.h>

#include "store/chunk_location.h"
#include "store/pack_format.h"
#include "tests/support/temp_dir.h"

namespace edgesync {
namespace {

using testing::RandomBytes;

struct Sealed {
  std::vector<PackEntry> entries;
  std::string pack;
};

Sealed Build(int chunks) {
  PackBuilder builder;
  for (int i = 0; i < chunks; ++i) {
    const std::string data = RandomBytes(1000 + 97 * i, i);
    builder.Add(ChunkId::Of(data.data(), data.size()), data);
  }
  Sealed s{builder.entries(), builder.Seal()};
  EXPECT_TRUE(builder.empty());
  return s;
}

Result<std::vector<PackEntry>> Decode(const std::string& pack) {
  auto footer = DecodePackFooter(pack, pack.size());
  if (!footer.ok()) return footer.status();
  return DecodePackIndex(std::string_view(pack).substr(footer->index_offset, footer->entries * kPackIndexEntryBytes),
                         *footer, pack);
}

TEST(PackFormatTest, IndexReadsBackWhatWasSealed) {
  Sealed s = Build(20);
  auto index = Decode(s.pack);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(index->size(), 20u);
  for (size_t i = 0; i < index->size(); ++i) {
    EXPECT_EQ((*index)[i].id, s.entries[i].id);
    EXPECT_EQ((*index)[i].offset, s.entries[i].offset);
    EXPECT_EQ((*index)[i].size, s.entries[i].size);
    std::string_view bytes = std::string_view(s.pack).substr((*index)[i].offset, (*index)[i].size);
    EXPECT_EQ(ChunkId::Of(bytes.data(), bytes.size()), (*index)[i].id);
  }
}

TEST(PackFormatTest, DamagedFooterOrIndexIsRefused) {
  Sealed s = Build(5);
  std::string bad_magic = s.pack;
  bad_magic.back() ^= 1;
  EXPECT_EQ(Decode(bad_magic).status().code(), Status::Code::kCorruption);

  std::string bad_index = s.pack;
  bad_index[s.entries.back().offset + s.entries.back().size + 3] ^= 1;  // inside the index
  EXPECT_EQ(Decode(bad_index).status().code(), Status::Code::kCorruption);

  EXPECT_EQ(Decode(s.pack.substr(1)).status().code(), Status::Code::kCorruption) << "a truncated pack";
  EXPECT_EQ(DecodePackFooter("short", 5).status().code(), Status::Code::kCorruption);
}

TEST(PackFormatTest, NamesRoundTripAndOthersAreNotPacks) {
  uint64_t id = 0;
  EXPECT_EQ(PackName(0xabcdef0123456789), "packs/abcdef0123456789.pack");
  ASSERT_TRUE(ParsePackName(PackName(0xabcdef0123456789), &id));
  EXPECT_EQ(id, 0xabcdef0123456789u);
  EXPECT_FALSE(ParsePackName("packs/abcdef012345678.pack", &id));
  EXPECT_FALSE(ParsePackName("packs/ABCDEF0123456789.pack", &id));
  EXPECT_FALSE(ParsePackName("meta/abcdef0123456789.pack", &id));
  EXPECT_FALSE(ParsePackName("packs/abcdef0123456789.pack.tmp", &id));
}

TEST(PackFormatTest, IndexValuesOfEveryLayoutDecode) {
  auto pack = DecodeChunkIndexValue(EncodePackIndexValue(4096, {0x1122334455667788, 1u << 20}));
  ASSERT_TRUE(pack.ok());
  EXPECT_EQ(pack->size, 4096u);
  ASSERT_TRUE(pack->pack);
  EXPECT_EQ(pack->pack->pack, 0x1122334455667788u);
  EXPECT_EQ(pack->pack->offset, 1u << 20);
  EXPECT_FALSE(pack->segment);
  auto local = DecodeChunkIndexValue(EncodeChunkIndexValue(10, 7));
  ASSERT_TRUE(local.ok());
  EXPECT_FALSE(local->pack);
  EXPECT_EQ(*local->segment, 7u);
}

}  // namespace
}  // namespace edgesync
