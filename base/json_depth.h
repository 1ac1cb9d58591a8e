// A nesting limit for JSON read from outside: a peer's manifest, a control request.
//
// nlohmann's parser is iterative, but copying, comparing and dumping a value recurse once per
// level, so a document nested a few hundred thousand levels deep (a few hundred KB of '[')
// overflows the stack of whoever touches it after parsing. Readers of untrusted text check it
// with JsonDepthWithin() before parsing. Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <string_view>

namespace edgesync {

// Deeper than any manifest spec or request params we write, far below what the stack holds.
inline constexpr size_t kMaxJsonDepth = 128;

// False when an array or object in `text` is nested deeper than `max_depth`. Brackets inside
// strings do not count; malformed text is left for the parser to refuse.
inline bool JsonDepthWithin(std::string_view text, size_t max_depth = kMaxJsonDepth) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace edgesync
