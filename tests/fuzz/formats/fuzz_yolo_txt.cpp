// Fuzzes ParseYoloLabels (with ids and with names) and ParseYoloDataYaml on the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/formats/yolo_txt_reader.h"
#include "tests/fuzz/formats/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgesync::formats;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  DatasetStats stats;
  auto names = ParseYoloDataYaml(text, "data.yaml", stats);
  ParseYoloLabels(text, "labels/a.txt", std::nullopt, stats);
  ParseYoloLabels(text, "labels/a.txt", names, stats);
  CheckStatsRoundTrip(stats);
  return 0;
}
