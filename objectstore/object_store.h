// ObjectStore: the operations edgesync needs from an S3-compatible object store, as an
// interface so that callers (sources, sinks, a chunk tier) see objects, not HTTP. S3Client
// (s3_client.h) implements it over libcurl.
//
// Every call either succeeds or returns a Status naming the object as s3://bucket/key (never
// credentials): kNotFound (no such bucket, object or upload), kPermissionDenied (403),
// kAborted (a conditional read whose object changed), kIoError (the endpoint could not be
// reached, or kept failing after the retries), kInvalidArgument (a refused request).
//
// Thread safety: implementations are safe for concurrent calls from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace edgesync::objectstore {

// User metadata, stored as x-amz-meta-<name> headers. Names are lower-case letters, digits and
// '-'; values printable ASCII.
using Metadata = std::map<std::string, std::string>;

// Receives a body's bytes in order. A non-ok Status stops the transfer and is returned.
using ByteSink = std::function<Status(std::string_view bytes)>;

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // as the server sent it, quotes included
  std::string last_modified;  // HTTP date (HEAD/GET) or ISO 8601 (listing)
  Metadata metadata;          // HEAD and GET only
};

struct GetOptions {
  uint64_t offset = 0;
  std::optional<uint64_t> length;  // nullopt: to the end of the object
  // When set, the read fails with kAborted ("changed during the read") unless the object
  // still has this ETag; also pinned across resumed connections.
  std::string if_match;
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Size, ETag, Last-Modified and user metadata.
  virtual Result<ObjectInfo> Head(const std::string& bucket, const std::string& key) = 0;

  // Streams the requested bytes to `sink` without buffering the object. A connection dropped
  // mid-body is resumed from the next byte, with the first answer's ETag pinned (If-Match).
  // Returns the object's info from the first answer (size is the whole object's).
  virtual Result<ObjectInfo> Get(const std::string& bucket, const std::string& key, const GetOptions& options,
                                 const ByteSink& sink) = 0;

  // Every object whose key starts with `prefix`, in key order, following continuation
  // tokens (`page_size` keys per request, at most 1000).
  virtual Result<std::vector<ObjectInfo>> List(const std::string& bucket, const std::string& prefix,
                                               int page_size = 1000) = 0;

  // One request; for objects up to a few tens of MiB (object_writer.h splits larger ones).
  // Returns the new ETag.
  virtual Result<std::string> Put(const std::string& bucket, const std::string& key, std::string_view data,
                                  const Metadata& metadata) = 0;

  // Multipart upload: nothing is visible until Complete; Abort discards the parts.
  // Part numbers run from 1; every part but the last must be at least 5 MiB.
  virtual Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                    const Metadata& metadata) = 0;
  virtual Result<std::string> UploadPart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int part_number,
                                         std::string_view data) = 0;
  virtual Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                      const std::string& upload_id,
                                                      const std::vector<CompletedPart>& parts) = 0;
  virtual Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) = 0;

  // Deleting a missing object succeeds (as in S3).
  virtual Status Delete(const std::string& bucket, const std::string& key) = 0;
};

}  // namespace edgesync::objectstore
