#include "catalog/remote_sources.h"

namespace edgesync {

bool IsRemoteUrl(std::string_view source) {
  const size_t sep = source.find("://");
  return sep != std::string_view::npos && sep > 0 && source.substr(0, sep) != "file";
}

}  // namespace edgesync
