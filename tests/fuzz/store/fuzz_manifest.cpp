// Feeds arbitrary bytes to the manifest decoder, as a peer's manifest reply or a damaged store
// would. A manifest that decodes must be valid, and its canonical encoding must decode to the
// same manifest and encode to the same bytes (its id is the hash of those bytes). The same bytes
// also go through CanonicalJsonObject, the path of a put's spec.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "store/manifest.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)edgesync::CanonicalJsonObject(bytes);
  edgesync::Result<edgesync::Manifest> manifest = edgesync::Manifest::Decode(bytes);
  if (!manifest.ok()) return 0;
  Check(manifest->Validate().ok());
  const std::string encoded = manifest->Encode();
  edgesync::Result<edgesync::Manifest> again = edgesync::Manifest::Decode(encoded);
  Check(again.ok() && *again == *manifest && again->Encode() == encoded);
  Check(again->TotalBytes() == manifest->TotalBytes());
  Check(edgesync::ManifestId(encoded) == edgesync::ManifestId(again->Encode()));
  return 0;
}
