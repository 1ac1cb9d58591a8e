#include "remote/s3_tier_bucket.h"

#include "objectstore/object_url.h"
#include "objectstore/object_writer.h"
#include "objectstore/s3_client.h"
#include "objectstore/s3_config.h"

namespace edgesync {

namespace os = objectstore;

Result<S3TierBucket::Root> S3TierBucket::ParseRoot(const std::string& url) {
  Result<os::ObjectUrl> parsed = os::ObjectUrl::Parse(url);
  if (!parsed.ok()) return parsed.status().WithContext("chunk tier");
  if (!parsed->is_s3()) return Status::InvalidArgument("chunk tier '" + parsed->ToString() + "' is not an s3:// URL");
  Root root{parsed->bucket(), parsed->key()};
  if (!root.prefix.empty() && root.prefix.back() != '/') root.prefix += '/';
  return root;
}

std::string S3TierBucket::RootText(const Root& root) {
  std::string text = "s3://" + root.bucket;
  if (!root.prefix.empty()) text += "/" + root.prefix.substr(0, root.prefix.size() - 1);
  return text;
}

Result<std::string> S3TierBucket::RootOf(const std::string& url) {
  Result<Root> root = ParseRoot(url);
  if (!root.ok()) return root.status();
  return RootText(*root);
}

Result<std::unique_ptr<S3TierBucket>> S3TierBucket::Create(const std::string& url, const os::S3Settings& settings,
                                                           const os::S3Environment& environment) {
  Result<Root> root = ParseRoot(url);
  if (!root.ok()) return root.status();
  Result<os::S3Config> config = os::ResolveS3Config(settings, environment);
  if (!config.ok()) return config.status().WithContext("s3 configuration");
  Result<std::unique_ptr<os::S3Client>> client = os::S3Client::Create(std::move(config).value());
  if (!client.ok()) return client.status();
  return std::unique_ptr<S3TierBucket>(new S3TierBucket(std::move(client).value(), root->bucket, root->prefix));
}

std::string S3TierBucket::Describe() const { return RootText({bucket_, prefix_}); }

Status S3TierBucket::Put(const std::string& name, std::string_view bytes) {
  return s3_->Put(bucket_, KeyOf(name), bytes, {}).status();
}

Status S3TierBucket::PutFile(const std::string& name, const std::filesystem::path& file) {
  return os::UploadFile(*s3_, bucket_, KeyOf(name), file).status();
}

Status S3TierBucket::Read(const std::string& name, uint64_t offset, std::optional<uint64_t> length,
                          const std::function<Status(std::string_view)>& sink) {
  os::GetOptions options;
  options.offset = offset;
  options.length = length;
  return s3_->Get(bucket_, KeyOf(name), options, sink).status();
}

Result<std::vector<TierBlob>> S3TierBucket::List(const std::string& prefix) {
  auto listed = s3_->List(bucket_, KeyOf(prefix));
  if (!listed.ok()) return listed.status();
  std::vector<TierBlob> blobs;
  blobs.reserve(listed->size());
  for (auto& object : *listed) blobs.push_back({object.key.substr(prefix_.size()), object.size});
  return blobs;
}

Status S3TierBucket::Delete(const std::string& name) { return s3_->Delete(bucket_, KeyOf(name)); }

}  // namespace edgesync
