// IniFile: the INI dialect of ~/.aws/credentials and ~/.aws/config: `[section]` headers,
// `key = value` lines, `#` and `;` comment lines, and one level of nesting as the AWS tools
// write it (a key with an empty value followed by indented `sub = value` lines, read as
// "key.sub", e.g. "s3.addressing_style").
//
// Parse errors name the source and the line number only, never the line: these files hold
// secrets. A value type, safe to share between threads once parsed.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/status.h"

namespace edgesync::objectstore {

class IniFile {
 public:
  using Section = std::map<std::string, std::string>;

  // `source` names the file in error messages.
  static Result<IniFile> Parse(std::string_view text, std::string_view source);

  // The section's keys, or nullptr when the file has no such section.
  const Section* Find(const std::string& section) const;

 private:
  std::map<std::string, Section> sections_;
};

}  // namespace edgesync::objectstore
