#include "objectstore/ini_file.h"

namespace edgesync::objectstore {
namespace {

std::string_view Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

}  // namespace

Result<IniFile> IniFile::Parse(std::string_view text, std::string_view source) {
  IniFile file;
  Section* section = nullptr;
  std::string parent;  // the key whose indented sub-keys follow, "" when none
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t newline = text.find('\n');
    std::string_view raw = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto error = [&](const char* why) {
      return Status::InvalidArgument(std::string(source) + " line " + std::to_string(line_number) + ": " +
                                     why);
    };
    if (line.front() == '[') {
      if (line.back() != ']') return error("a section header must end with ']'");
      section = &file.sections_[std::string(Trim(line.substr(1, line.size() - 2)))];
      parent.clear();
      continue;
    }
    size_t equals = line.find('=');
    if (equals == std::string_view::npos) return error("expected 'key = value'");
    if (section == nullptr) return error("a key before the first [section]");
    std::string key(Trim(line.substr(0, equals)));
    std::string value(Trim(line.substr(equals + 1)));
    bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (indented && !parent.empty()) {
      (*section)[parent + "." + key] = value;
      continue;
    }
    parent = value.empty() ? key : "";
    (*section)[key] = value;
  }
  return file;
}

const IniFile::Section* IniFile::Find(const std::string& section) const {
  auto it = sections_.find(section);
  return it == sections_.end() ? nullptr : &it->second;
}

}  // namespace edgesync::objectstore
