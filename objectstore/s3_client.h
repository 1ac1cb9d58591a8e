// S3Client: ObjectStore over libcurl for AWS S3 and S3-compatible servers (Ceph RGW, MinIO,
// s3rver). Requests are signed by libcurl's own SigV4 (CURLOPT_AWS_SIGV4) with a SHA-256 of
// every body we send (x-amz-content-sha256), so a signing server also checks the bytes.
// Path-style (https://host/bucket/key) or virtual-hosted (https://bucket.host/key) addressing
// as S3Config says. Every request has the connect and low-speed limits of HttpLimits, and is
// retried with jittered backoff on connection errors, 500, 502, 503 (SlowDown), 504 and 429.
//
// Thread safety: immutable after Create; safe for concurrent calls from any number of threads
// (each thread uses its own CURL handle).
#pragma once

#include <memory>

#include "objectstore/http_limits.h"
#include "objectstore/object_store.h"
#include "objectstore/s3_config.h"

namespace edgesync::objectstore {

struct HttpRequest;
struct HttpResponse;

class S3Client : public ObjectStore {
 public:
  static Result<std::unique_ptr<S3Client>> Create(S3Config config, HttpLimits limits = {});

  const S3Config& config() const { return config_; }

  Result<ObjectInfo> Head(const std::string& bucket, const std::string& key) override;
  Result<ObjectInfo> Get(const std::string& bucket, const std::string& key, const GetOptions& options,
                         const ByteSink& sink) override;
  Result<std::vector<ObjectInfo>> List(const std::string& bucket, const std::string& prefix,
                                       int page_size = 1000) override;
  Result<std::string> Put(const std::string& bucket, const std::string& key, std::string_view data,
                          const Metadata& metadata) override;
  Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                            const Metadata& metadata) override;
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key,
                                 const std::string& upload_id, int part_number,
                                 std::string_view data) override;
  Result<std::string> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                              const std::string& upload_id,
                                              const std::vector<CompletedPart>& parts) override;
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id) override;
  Status Delete(const std::string& bucket, const std::string& key) override;

  // Buckets, for tests and tools (not part of ObjectStore): created in the endpoint's default
  // region (no LocationConstraint); deleting needs the bucket empty, as in S3.
  Status CreateBucket(const std::string& bucket);
  Status DeleteBucket(const std::string& bucket);

 private:
  S3Client(S3Config config, HttpLimits limits) : config_(std::move(config)), limits_(limits) {}

  using Query = std::vector<std::pair<std::string, std::string>>;
  // A signed request for the object (or, with an empty key and `bucket_level`, the bucket).
  HttpRequest Request(const std::string& method, const std::string& bucket, const std::string& key,
                      const Query& query, std::string_view body) const;
  // Sends and maps a non-2xx answer to a Status naming s3://bucket/key.
  Result<HttpResponse> Send(const HttpRequest& request, const std::string& bucket,
                            const std::string& key) const;

  const S3Config config_;
  const HttpLimits limits_;
};

}  // namespace edgesync::objectstore
