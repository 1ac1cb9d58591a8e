#include "store/object_key.h"

#include <vector>

namespace edgesync {
namespace {

// What Linux file systems hold (PATH_MAX, NAME_MAX): a file stored under a longer path or
// name could never be written back out.
constexpr size_t kMaxPathBytes = 4096;
constexpr size_t kMaxSegmentBytes = 255;

Status CheckSegment(std::string_view seg, std::string_view what, size_t max_bytes) {
  std::string w(what);
  if (seg.empty()) return Status::InvalidArgument(w + " has an empty segment");
  if (seg == "." || seg == "..")
    return Status::InvalidArgument(w + " may not contain '.' or '..' segments");
  if (seg.size() > max_bytes)
    return Status::InvalidArgument(w + " has a name of " + std::to_string(seg.size()) +
                                   " bytes, longer than the " + std::to_string(max_bytes) + " allowed");
  for (unsigned char c : seg) {
    if (c < 0x20 || c == 0x7f)
      return Status::InvalidArgument(w + " contains a control character");
    if (c == '\\') return Status::InvalidArgument(w + " contains a backslash");
  }
  return Status::Ok();
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find('/', start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

}  // namespace

const char* KindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kModel: return "model";
    case ObjectKind::kDataset: return "dataset";
    case ObjectKind::kMeta: return "meta";
  }
  return "unknown";
}

Result<ObjectKey> ObjectKey::Parse(std::string_view text) {
  const std::string quoted = "object key '" + std::string(text.substr(0, 80)) + "'";
  if (text.size() > kMaxKeyBytes)
    return Status::InvalidArgument(quoted + " is longer than " + std::to_string(kMaxKeyBytes) + " bytes");
  if (text.find('\0') != std::string_view::npos)
    return Status::InvalidArgument(quoted + " contains a NUL byte");
  if (!text.empty() && text.front() == '/')
    return Status::InvalidArgument(quoted + " is absolute; keys look like model/<name>");
  auto parts = Split(text);
  if (parts.size() < 2 || parts.size() > 3)
    return Status::InvalidArgument(quoted + " must be <kind>/<name> or <kind>/<namespace>/<name>");
  ObjectKey key;
  if (parts[0] == "model") key.kind_ = ObjectKind::kModel;
  else if (parts[0] == "dataset") key.kind_ = ObjectKind::kDataset;
  else if (parts[0] == "meta") key.kind_ = ObjectKind::kMeta;
  else
    return Status::InvalidArgument(quoted + ": unknown kind '" + std::string(parts[0]) +
                                   "' (expected model, dataset or meta)");
  for (size_t i = 1; i < parts.size(); ++i)
    EDGESYNC_RETURN_IF_ERROR(CheckSegment(parts[i], quoted, kMaxNameBytes));
  if (parts.size() == 3) key.ns_ = parts[1];
  key.name_ = parts.back();
  key.text_ = text;
  return key;
}

Status ValidateRelativePath(std::string_view path) {
  const std::string quoted = "path '" + std::string(path.substr(0, 120)) + "'";
  if (path.empty()) return Status::InvalidArgument("empty path");
  if (path.size() > kMaxPathBytes)
    return Status::InvalidArgument(quoted + " is " + std::to_string(path.size()) + " bytes, longer than the " +
                                   std::to_string(kMaxPathBytes) + " allowed");
  if (path.find('\0') != std::string_view::npos)
    return Status::InvalidArgument(quoted + " contains a NUL byte");
  if (path.front() == '/') return Status::InvalidArgument(quoted + " is absolute");
  for (auto seg : Split(path)) EDGESYNC_RETURN_IF_ERROR(CheckSegment(seg, quoted, kMaxSegmentBytes));
  return Status::Ok();
}

}  // namespace edgesync
