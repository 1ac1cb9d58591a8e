// ObjectKey: the validated name of a stored object, `<kind>/<name>` or `<kind>/<ns>/<name>`.
//
// Also validates relative file paths inside objects. Both reject what could escape a directory
// or confuse a terminal: `..`, `.`, empty segments, absolute paths, NUL and control characters,
// backslashes, over-long names. Plain value type.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace edgesync {

enum class ObjectKind { kModel, kDataset, kMeta };

const char* KindName(ObjectKind kind);

class ObjectKey {
 public:
  static constexpr size_t kMaxNameBytes = 253;  // per segment, like a Kubernetes name
  static constexpr size_t kMaxKeyBytes = 512;

  // Parses "model/helmet", "dataset/site-a/hard-examples", "meta/policy".
  static Result<ObjectKey> Parse(std::string_view text);

  ObjectKind kind() const { return kind_; }
  const std::string& ns() const { return ns_; }  // empty when the key has no namespace
  const std::string& name() const { return name_; }
  const std::string& str() const { return text_; }

  auto operator<=>(const ObjectKey& o) const { return text_ <=> o.text_; }
  bool operator==(const ObjectKey& o) const { return text_ == o.text_; }

 private:
  ObjectKind kind_ = ObjectKind::kMeta;
  std::string ns_, name_, text_;
};

// Validates a '/'-separated relative path of a file inside an object: besides the above, every
// name at most 255 bytes and the whole at most 4096 (NAME_MAX and PATH_MAX), so that whatever a
// put or a peer's manifest stores can be written out again. The error quotes the path.
Status ValidateRelativePath(std::string_view path);

}  // namespace edgesync
