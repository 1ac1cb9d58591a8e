// S3TierBucket: the store's TierBucket (store/tier_bucket.h) over the object-storage client,
// rooted at one s3://bucket/prefix: the chunk tier of a cloud node (`storage.chunk_tier`).
// It owns its S3 client, made from the daemon's [s3] settings and the AWS environment, so the
// tier is ready before anything else of the daemon starts. Safe for concurrent calls (the
// client is).
#pragma once

#include <memory>
#include <string>

#include "objectstore/object_store.h"
#include "objectstore/s3_settings.h"
#include "store/tier_bucket.h"

namespace edgesync {

class S3TierBucket : public TierBucket {
 public:
  // `url`: s3://bucket or s3://bucket/prefix. InvalidArgument for any other URL.
  static Result<std::unique_ptr<S3TierBucket>> Create(const std::string& url, const objectstore::S3Settings& settings,
                                                      const objectstore::S3Environment& environment);

  // The root `url` names, as Describe() would give it ("s3://bucket/prefix"), without making a
  // client: how two spellings of one tier are compared.
  static Result<std::string> RootOf(const std::string& url);

  std::string Describe() const override;
  Status Put(const std::string& name, std::string_view bytes) override;
  Status PutFile(const std::string& name, const std::filesystem::path& file) override;
  Status Read(const std::string& name, uint64_t offset, std::optional<uint64_t> length,
              const std::function<Status(std::string_view)>& sink) override;
  Result<std::vector<TierBlob>> List(const std::string& prefix) override;
  Status Delete(const std::string& name) override;

 private:
  S3TierBucket(std::unique_ptr<objectstore::ObjectStore> s3, std::string bucket, std::string prefix)
      : s3_(std::move(s3)), bucket_(std::move(bucket)), prefix_(std::move(prefix)) {}
  std::string KeyOf(const std::string& name) const { return prefix_ + name; }
  struct Root {
    std::string bucket;
    std::string prefix;  // "" or ending in '/'
  };
  // InvalidArgument for anything but s3://bucket[/prefix].
  static Result<Root> ParseRoot(const std::string& url);
  static std::string RootText(const Root& root);

  std::unique_ptr<objectstore::ObjectStore> s3_;
  const std::string bucket_;
  const std::string prefix_;  // "" or ending in '/'
};

}  // namespace edgesync
