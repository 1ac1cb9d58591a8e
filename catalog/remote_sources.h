// RemoteSources: inputs of a put named by a URL rather than a local path (s3://bucket/prefix,
// https://host/path). The catalog owns this interface and routes puts through it; the daemon
// plugs in an implementation over the object-storage client, so the catalog never sees HTTP.
// Implementations are safe for concurrent access.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace edgesync {

struct RemoteListOptions {
  bool allow_insecure_http = false;  // http:// is refused unless asked for
};

class RemoteSources {
 public:
  virtual ~RemoteSources() = default;
  // The files a put of `url` stores: one object (named by its last path segment), or every
  // object under a prefix (by path relative to it). Each SourceFile carries a `stream` that
  // reads the object when the put gets to it, and its size for progress.
  virtual Result<std::vector<SourceFile>> List(const std::string& url, const RemoteListOptions& options) = 0;
};

// True for a source that names a remote scheme (anything with "://" except file://).
bool IsRemoteUrl(std::string_view source);

}  // namespace edgesync
