// Fuzzes ParseCsv with the first header field as the label column.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "catalog/formats/csv_reader.h"
#include "tests/fuzz/formats/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgesync::formats;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  DatasetStats with_label, without_label;
  ParseCsv(text, "f.csv", "label", with_label);
  ParseCsv(text, "f.csv", "", without_label);
  if (with_label.samples != without_label.samples) std::abort();
  CheckStatsRoundTrip(with_label);
  return 0;
}
