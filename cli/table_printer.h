// TablePrinter: the CLI's human output, columns aligned to their widest cell. Collects rows and
// prints them at once. Needs external synchronization.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace edgesync {

class TablePrinter {
 public:
  explicit TablePrinter(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // REQUIRES: cells.size() == number of headers.
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Without the header line when `with_header` is false (later pages of a paged list).
  void Print(std::ostream& out, bool with_header = true) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "1.5 MB", "312 B": decimal units, as transfer rates are usually shown.
std::string HumanBytes(uint64_t bytes);
// "12s ago", "3m ago", "5h ago" for something `age_ms` old.
std::string HumanAge(uint64_t age_ms);

}  // namespace edgesync
