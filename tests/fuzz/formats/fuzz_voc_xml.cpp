// Fuzzes ParseVocXml.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/formats/voc_xml_reader.h"
#include "tests/fuzz/formats/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgesync::formats;
  DatasetStats stats;
  const bool sample = ParseVocXml(std::string_view(reinterpret_cast<const char*>(data), size), "a.xml", stats);
  if (sample != (stats.samples == 1)) std::abort();
  CheckStatsRoundTrip(stats);
  return 0;
}
