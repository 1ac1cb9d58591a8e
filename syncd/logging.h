// Process-wide logging setup: spdlog's default logger writing to stderr, one event per line,
// each line prefixed with its syslog level (<3> error ... <7> debug) so journald keeps levels.
// InitLogging once from main; SetLogLevel is safe from any thread (SIGHUP reload).
#pragma once

#include <string_view>

#include "base/status.h"

namespace edgesync {

void InitLogging(std::string_view level);
// REQUIRES: ValidateLogLevel(level).ok()
void SetLogLevel(std::string_view level);

}  // namespace edgesync
