// Fuzzes ParseTxtIndex against a small fixed tree.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/formats/txt_index_reader.h"
#include "tests/fuzz/formats/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgesync::formats;
  static const DatasetTree tree = DatasetTree::FromFiles({{"images/a.jpg", 1}, {"index/b.jpg", 1}, {"c d.png", 1}});
  DatasetStats stats;
  ParseTxtIndex(std::string_view(reinterpret_cast<const char*>(data), size), "index/train.txt", tree, stats);
  CheckStatsRoundTrip(stats);
  return 0;
}
