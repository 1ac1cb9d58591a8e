// RangedObject: one object read by byte ranges, whatever serves it: an S3 object through an
// ObjectStore, or a plain http(s):// URL (http_object.h). ObjectReader reads through it.
//
// Thread safety: Stat and ReadRange may be called concurrently from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "objectstore/http_limits.h"
#include "objectstore/object_store.h"
#include "objectstore/object_url.h"

namespace edgesync::objectstore {

// What a read pins at its first answer: every later range must come from the same version.
struct ObjectVersion {
  uint64_t size = 0;
  std::string etag;           // strong ETag, "" when the server gives none
  std::string last_modified;  // used when there is no strong ETag (plain HTTP)
  bool ranges = true;         // the server answers Range requests
};

class RangedObject {
 public:
  virtual ~RangedObject() = default;

  virtual Result<ObjectVersion> Stat() = 0;
  // Streams [offset, offset + length) to `sink`, resuming dropped connections; kAborted
  // ("changed during the read") when the object is no longer `version`.
  virtual Status ReadRange(const ObjectVersion& version, uint64_t offset, uint64_t length,
                           const ByteSink& sink) = 0;
  // Reads the whole object in one request (servers without Range support).
  virtual Status ReadAll(const ObjectVersion& version, const ByteSink& sink) = 0;
  // The URL, safe for logs.
  virtual std::string Describe() const = 0;
};

struct OpenOptions {
  // http:// sends the bytes in the clear and lets anyone on the path change them.
  bool allow_insecure_http = false;
  HttpLimits limits;  // for http(s):// (an s3:// object has its store's)
};

// An s3:// URL reads through `store` (REQUIRES: store != nullptr for s3://, and it outlives
// the returned object); http(s):// through libcurl directly. kPermissionDenied for http://
// without allow_insecure_http.
Result<std::unique_ptr<RangedObject>> OpenRangedObject(const ObjectUrl& url, ObjectStore* store,
                                                       const OpenOptions& options);

}  // namespace edgesync::objectstore
