// Fuzzes ParseTxtBoxes with and without a class-name list, and ParseClassNames.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/formats/txt_boxes_reader.h"
#include "tests/fuzz/formats/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgesync::formats;
  static const DatasetTree tree = DatasetTree::FromFiles({{"a.jpg", 1}, {"img/b.jpg", 1}});
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  DatasetStats by_id, by_name;
  ParseTxtBoxes(text, "train.txt", tree, std::nullopt, by_id);
  ParseTxtBoxes(text, "train.txt", tree, ClassNames{"helmet", "head"}, by_name);
  if (by_id.samples != by_name.samples || *by_name.objects > *by_id.objects) std::abort();
  CheckStatsRoundTrip(by_id);
  CheckStatsRoundTrip(by_name);
  ParseClassNames(text);
  return 0;
}
