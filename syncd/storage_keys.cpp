#include "syncd/storage_keys.h"

#include <algorithm>
#include <cctype>

#include <charconv>

#include "base/time_text.h"
#include "syncd/daemon_config.h"  // ParseByteSize

namespace edgesync {
namespace {

std::string Where(std::string_view source, const toml::node& node) {
  return std::string(source) + ":" + std::to_string(node.source().begin.line);
}

}  // namespace

Status ValidateKeyGlob(std::string_view glob) {
  if (glob.empty() || glob.size() > 1024) return Status::InvalidArgument("a key glob must be 1-1024 bytes");
  if (std::any_of(glob.begin(), glob.end(), [](char c) { return std::iscntrl(static_cast<unsigned char>(c)); }))
    return Status::InvalidArgument("key glob '" + std::string(glob) + "' has a control character");
  bool open = false;
  for (size_t i = 0; i < glob.size(); ++i) {
    if (glob[i] == '\\') ++i;
    else if (glob[i] == '[' && !open) open = true;
    else if (glob[i] == ']' && open) open = false;
  }
  if (open) return Status::InvalidArgument("key glob '" + std::string(glob) + "' has a '[' without its ']'");
  return Status::Ok();
}

Result<DiskSize> ParseDiskSize(std::string_view text) {
  if (!text.empty() && text.back() == '%') {
    std::string number(text.substr(0, text.size() - 1));
    double percent = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), percent);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !(percent > 0) ||
        !(percent < 100))
      return Status::InvalidArgument("'" + std::string(text) + "' is not a percent above 0 and below 100");
    return DiskSize{0, percent};
  }
  Result<uint64_t> bytes = ParseByteSize(text);
  if (!bytes.ok())
    return Status::InvalidArgument("'" + std::string(text) + "' is not a size (\"300MiB\") or a percent (\"15%\")");
  return DiskSize{*bytes, 0};
}

Result<uint64_t> ParseKeepFor(std::string_view text) {
  if (text == "off") return uint64_t{0};
  return ParseDurationMs(text);
}

Status ReadRetentionTables(const toml::node& node, std::string_view source, std::vector<RetentionOverride>* out) {
  const auto* array = node.as_array();
  if (!array) {
    return Status::InvalidArgument(Where(source, node) +
                                   ": key 'storage.retention' must be an array of tables ([[storage.retention]])");
  }
  out->clear();
  for (const toml::node& element : *array) {
    const std::string where = Where(source, element) + ": [[storage.retention]]";
    const auto* table = element.as_table();
    if (!table) return Status::InvalidArgument(where + " must be a table");
    RetentionOverride rule;
    for (const auto& [name, value] : *table) {
      const std::string field(name.str());
      if (field == "glob") {
        const auto* glob = value.as_string();
        if (!glob) return Status::InvalidArgument(where + ": glob must be a string");
        if (Status s = ValidateKeyGlob(glob->get()); !s.ok()) return Status::InvalidArgument(where + ": " + s.message());
        rule.glob = glob->get();
      } else if (field == "keep_versions") {
        const auto* count = value.as_integer();
        if (!count || count->get() < 1 || count->get() > static_cast<int64_t>(kMaxKeepVersions))
          return Status::InvalidArgument(where + ": keep_versions must be an integer from 1 to " +
                                         std::to_string(kMaxKeepVersions));
        rule.keep_versions = static_cast<uint64_t>(count->get());
      } else if (field == "keep_for") {
        const auto* text = value.as_string();
        Result<uint64_t> ms = text ? ParseKeepFor(text->get()) : Result<uint64_t>(Status::InvalidArgument(""));
        if (!ms.ok())
          return Status::InvalidArgument(where + ": keep_for must be a duration (\"30d\", \"12h\") or \"off\"" +
                                         (text ? ": " + ms.status().message() : ""));
        rule.keep_for_ms = *ms;
      } else {
        return Status::InvalidArgument(where + ": unknown field '" + field + "' (glob, keep_versions, keep_for)");
      }
    }
    if (rule.glob.empty()) return Status::InvalidArgument(where + " needs a glob");
    if (!rule.keep_versions && !rule.keep_for_ms)
      return Status::InvalidArgument(where + " for '" + rule.glob + "' sets neither keep_versions nor keep_for");
    out->push_back(std::move(rule));
  }
  return Status::Ok();
}

}  // namespace edgesync
