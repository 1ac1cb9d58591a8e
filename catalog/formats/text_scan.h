// Small text helpers shared by the line-oriented readers: line iteration, whitespace
// tokenising, strict number parsing and short quoted excerpts for problem messages.
// Free functions over string_views; no state, safe for concurrent use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgesync::formats {

// Calls fn(line_number, line) for each line of `text` (1-based; "\n" or "\r\n" endings; the
// ending is not part of `line`). A final line without an ending is included when non-empty.
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  uint64_t number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(++number, line);
    start = end + 1;
  }
}

bool IsSpace(char c);
std::string_view Trim(std::string_view text);
// Replaces `out` with the whitespace-separated tokens of `line`.
void SplitWhitespace(std::string_view line, std::vector<std::string_view>& out);
// Replaces `out` with the pieces of `text` between `separator` characters (empty pieces kept).
void SplitOn(std::string_view text, char separator, std::vector<std::string_view>& out);

// Whole-token parses: no sign for ParseUint, no surrounding text, no inf/nan for doubles.
bool ParseUint(std::string_view token, uint64_t& value);
bool ParseFiniteDouble(std::string_view token, double& value);

// `text` in single quotes, cut to at most max_bytes with "..." appended when longer.
std::string Excerpt(std::string_view text, size_t max_bytes = 80);

bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix);
// 1-based line number of byte `offset` in `text`.
uint64_t LineAtOffset(std::string_view text, size_t offset);
// Drops a leading UTF-8 byte order mark.
std::string_view StripBom(std::string_view text);

}  // namespace edgesync::formats
