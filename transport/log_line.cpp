#include "transport/log_line.h"

namespace edgesync::transport {

std::string OneLine(std::string_view text, std::size_t max_length) {
  std::string line(text.substr(0, max_length));
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (text.size() > max_length) line += "...";
  return line;
}

}  // namespace edgesync::transport
