#include "status/node_limits.h"

#include <system_error>

#include "transport/credential_dates.h"
#include "transport/identity.h"

namespace edgesync {
namespace {

// Reads `path` (when set) and applies `date_ms` to its text; Unix seconds.
std::optional<int64_t> FileDate(const std::filesystem::path& path,
                                Result<std::int64_t> (*date_ms)(const std::string& pem)) {
  if (path.empty()) return std::nullopt;
  auto pem = transport::ReadTextFile(path);
  if (!pem.ok()) return std::nullopt;
  auto at_ms = date_ms(*pem);
  if (!at_ms.ok()) return std::nullopt;
  return *at_ms / 1000;
}

}  // namespace

NodeLimits SampleNodeLimits(const NodeLimitSources& sources) {
  NodeLimits limits;
  limits.certificate_not_after_s = FileDate(sources.certificate_file, transport::CertificateNotAfterMs);
  limits.crl_next_update_s = FileDate(sources.crl_file, transport::CrlNextUpdateMs);
  if (!sources.store_dir.empty()) {
    std::error_code ec;
    const std::filesystem::space_info space = std::filesystem::space(sources.store_dir, ec);
    if (!ec) {
      limits.disk_free_bytes = space.available;
      limits.disk_size_bytes = space.capacity;
    }
  }
  return limits;
}

}  // namespace edgesync
