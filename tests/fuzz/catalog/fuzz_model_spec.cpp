// libFuzzer target: the model spec parser must never crash or throw, and an accepted spec must
// re-parse from its canonical JSON to an equal spec with identical canonical bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "catalog/model_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto spec = edgesync::ModelSpec::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!spec.ok()) return 0;
  const std::string canonical = spec->ToCanonicalJson();
  auto again = edgesync::ModelSpec::Parse(canonical);
  if (!again.ok() || !(*again == *spec) || again->ToCanonicalJson() != canonical) std::abort();
  return 0;
}
