// Internal to objectstore/: one HTTP request over libcurl (HttpExchange::PerformOnce), the same
// with retries (Perform), and a GET whose body streams to a sink and resumes after a dropped
// connection (StreamGet). S3Client and HttpObject build their requests and read their answers
// through these; nothing outside this folder includes this header.
//
// Each request runs on a CURL easy handle leased from the calling thread's own pool (kept so
// that connections are reused; a sink may make a request of its own from inside a transfer),
// so any number of threads may call at once. SigV4 signing is
// libcurl's own (CURLOPT_AWS_SIGV4).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "objectstore/http_limits.h"
#include "objectstore/object_store.h"
#include "objectstore/s3_credentials.h"

namespace edgesync::objectstore {

struct HttpRequest {
  std::string method = "GET";           // GET, HEAD, PUT, POST, DELETE
  std::string url;                      // with the query already canonical (see s3_client.cpp)
  std::vector<std::string> headers;     // "Name: value"
  std::string_view body;                // PUT and POST; must outlive the call
  const S3Credentials* sign = nullptr;  // sign with SigV4 when set and not anonymous
  std::string region;                   // for signing
  std::string range;                    // "first-last" or "first-", "" for none
  bool follow_redirects = false;
  bool https_redirects_only = true;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;                            // the body when no sink took it (error bodies: first 64 KiB)
  int attempts = 0;

  std::string Header(const std::string& lower_name) const;
};

// What the body of a resumed read must still match: the first answer's ETag, or (for plain
// HTTP servers without a strong ETag) its Last-Modified.
struct PinnedVersion {
  std::string etag;
  std::string last_modified;
  bool empty() const { return etag.empty() && last_modified.empty(); }
};

class HttpExchange {
 public:
  // One try. Ok when an answer arrived (any status) and its body was delivered; otherwise
  // kIoError (with *retryable set for connection failures, timeouts and cut bodies) or the
  // sink's own Status. A 2xx body goes to `sink` when given; other bodies to response->body.
  static Status PerformOnce(const HttpRequest& request, const HttpLimits& limits, const ByteSink* sink,
                            HttpResponse* response, bool* retryable);

  // Tries until an answer that is not 5xx (nor S3's 400 RequestTimeout), or until
  // limits.retry.max_attempts tries, pausing with jittered backoff between them; the last
  // answer is returned whatever its status. kIoError naming `what` when no answer came.
  static Result<HttpResponse> Perform(const HttpRequest& request, const HttpLimits& limits,
                                      const std::string& what);

  // GET of bytes [offset, offset + length) (to the end when length is nullopt) streamed to
  // `sink`. A dropped connection is resumed from the next byte; the tries count restarts
  // whenever a try delivered bytes. `pinned` (filled from the first answer when empty) is sent
  // as If-Match (or If-Unmodified-Since) on every request and compared with every answer, so a
  // changed object fails with kAborted even on servers that ignore the condition.
  // Returns the first answer (headers) or a non-2xx final answer for the caller to map.
  static Result<HttpResponse> StreamGet(const HttpRequest& base, uint64_t offset,
                                        std::optional<uint64_t> length, PinnedVersion* pinned,
                                        const HttpLimits& limits, const std::string& what,
                                        const ByteSink& sink);
};

// The object size from a 206's Content-Range ("bytes a-b/size") or a 200's Content-Length.
std::optional<uint64_t> ObjectSizeOf(const HttpResponse& response);

}  // namespace edgesync::objectstore
