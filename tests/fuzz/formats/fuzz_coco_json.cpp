// Fuzzes ParseCocoJson.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/formats/coco_json_reader.h"
#include "tests/fuzz/formats/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgesync::formats;
  DatasetStats stats;
  ParseCocoJson(std::string_view(reinterpret_cast<const char*>(data), size), "ann.json", stats);
  CheckStatsRoundTrip(stats);
  return 0;
}
