// libFuzzer target: the Sedna YAML parser must never crash, throw or hang on any input, and
// every object it accepts must have a valid key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/sedna_manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // yaml-cpp recursion on deep nesting is bounded by input size
  auto objects = edgesync::ParseSednaManifests(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (objects.ok()) {
    for (const auto& o : *objects)
      if (!o.Key().ok()) std::abort();
  }
  return 0;
}
