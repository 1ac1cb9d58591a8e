// OneLine: makes text from peers or OpenSSL safe for single-line log records.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace edgesync::transport {

// Replaces control characters (newlines included) with spaces and caps the length.
std::string OneLine(std::string_view text, std::size_t max_length = 512);

}  // namespace edgesync::transport
