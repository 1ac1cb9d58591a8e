// ObjectUrl: a parsed, checked address of an object (or a prefix of objects) in object storage:
//   s3://bucket/key-or-prefix
//   https://host[:port]/path[?query]
//   http://host[:port]/path[?query]
// Parsing refuses what could address something other than what it reads as: `.` and `..`
// segments (also spelled %2e), control characters (also spelled %00..%1f, %7f), bad
// percent-escapes, an empty or malformed bucket, a fragment, and credentials in the authority
// (`user:pass@host`): credentials come from the configuration, never from a URL.
//
// A value type: immutable after Parse, safe to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace edgesync::objectstore {

class ObjectUrl {
 public:
  enum class Scheme { kS3, kHttps, kHttp };

  static Result<ObjectUrl> Parse(std::string_view text);

  Scheme scheme() const { return scheme_; }
  bool is_s3() const { return scheme_ == Scheme::kS3; }

  // s3:// only: the bucket, and the key or prefix with percent-escapes decoded ("" for the
  // whole bucket).
  const std::string& bucket() const { return bucket_; }
  const std::string& key() const { return key_; }

  // http(s):// only. `port` is 0 when the URL names none. `path` keeps its percent-escapes
  // (it is sent as written); `query` is what followed '?', without it.
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  const std::string& path() const { return path_; }
  const std::string& query() const { return query_; }

  // The URL to request (http(s) only): scheme, host, port, path and query as parsed.
  std::string RequestUrl() const;

  // Safe for logs and error messages: the query (which may hold a presigned URL's signature)
  // is shown as "?…", everything else as parsed.
  std::string ToString() const;

 private:
  Scheme scheme_ = Scheme::kS3;
  std::string bucket_;
  std::string key_;
  std::string host_;
  uint16_t port_ = 0;
  std::string path_;
  std::string query_;
};

// Decodes %XX escapes. InvalidArgument naming `what` for a '%' not followed by two hex digits.
Result<std::string> PercentDecode(std::string_view text, std::string_view what);

// AWS's URI encoding (SigV4): every byte but A-Z a-z 0-9 - . _ ~ as %XX (upper-case hex);
// '/' too unless `keep_slash`.
std::string AwsUriEncode(std::string_view text, bool keep_slash);

}  // namespace edgesync::objectstore
