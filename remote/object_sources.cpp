#include "remote/object_sources.h"

#include "objectstore/object_reader.h"
#include "objectstore/object_url.h"
#include "objectstore/ranged_object.h"
#include "objectstore/s3_client.h"
#include "objectstore/s3_config.h"

namespace edgesync {

namespace os = objectstore;

namespace {

// Streams the object at `url` (parsed, checked) through `s3` (for s3://) when the put reads it.
ByteStream ObjectStream(os::ObjectUrl url, os::ObjectStore* s3, bool allow_insecure_http) {
  return [url = std::move(url), s3,
          allow_insecure_http](const std::function<Status(std::string_view)>& sink) -> Status {
    os::OpenOptions open;
    open.allow_insecure_http = allow_insecure_http;
    Result<std::unique_ptr<os::RangedObject>> object = os::OpenRangedObject(url, s3, open);
    if (!object.ok()) return object.status();
    return os::ReadObject(**object, sink);
  };
}

// One s3:// object as a file of the put, stored as `path`.
Result<SourceFile> S3File(const std::string& bucket, const std::string& key, std::string path, uint64_t size,
                          os::ObjectStore* s3) {
  Result<os::ObjectUrl> url = os::ObjectUrl::Parse("s3://" + bucket + "/" + os::AwsUriEncode(key, true));
  if (!url.ok()) return url.status();
  SourceFile file;
  file.path = std::move(path);
  file.size = size;
  file.stream = ObjectStream(*url, s3, false);
  return file;
}

// The last '/'-separated segment of `path`, "" when it ends with '/'.
std::string LastSegment(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

ObjectSources::ObjectSources(os::S3Settings settings, os::S3Environment environment)
    : settings_(std::move(settings)), environment_(std::move(environment)) {}

ObjectSources::~ObjectSources() = default;

Result<os::ObjectStore*> ObjectSources::S3() {
  MutexLock lock(mu_);
  if (!s3_) {
    Result<os::S3Config> config = os::ResolveS3Config(settings_, environment_);
    if (!config.ok()) return config.status().WithContext("s3 configuration");
    Result<std::unique_ptr<os::S3Client>> client = os::S3Client::Create(std::move(config).value());
    if (!client.ok()) return client.status();
    s3_ = std::move(client).value();
  }
  return s3_.get();
}

Result<std::vector<SourceFile>> ObjectSources::List(const std::string& url,
                                                    const RemoteListOptions& options) {
  Result<os::ObjectUrl> parsed = os::ObjectUrl::Parse(url);
  if (!parsed.ok()) return parsed.status();
  if (parsed->is_s3()) return ListS3(parsed->bucket(), parsed->key());

  os::OpenOptions open;
  open.allow_insecure_http = options.allow_insecure_http;
  Result<std::unique_ptr<os::RangedObject>> object = os::OpenRangedObject(*parsed, nullptr, open);
  if (!object.ok()) return object.status();
  Result<os::ObjectVersion> version = (*object)->Stat();
  if (!version.ok()) return version.status();
  Result<std::string> name = os::PercentDecode(LastSegment(parsed->path()), parsed->ToString());
  if (!name.ok()) return name.status();
  if (name->empty()) {
    return Status::InvalidArgument(parsed->ToString() + ": the URL names no file (it ends with '/')");
  }
  SourceFile file;
  file.path = *name;
  file.size = version->size;
  file.stream = ObjectStream(*parsed, nullptr, options.allow_insecure_http);
  return std::vector<SourceFile>{std::move(file)};
}

Result<std::vector<SourceFile>> ObjectSources::ListS3(const std::string& bucket, const std::string& key) {
  Result<os::ObjectStore*> s3 = S3();
  if (!s3.ok()) return s3.status();
  const std::string where = "s3://" + bucket + "/" + key;

  // One object when the key names one; otherwise the objects under it as a folder.
  if (!key.empty() && key.back() != '/') {
    Result<os::ObjectInfo> head = (*s3)->Head(bucket, key);
    if (head.ok()) {
      Result<SourceFile> file = S3File(bucket, key, LastSegment(key), head->size, *s3);
      if (!file.ok()) return file.status();
      return std::vector<SourceFile>{std::move(file).value()};
    }
    if (!head.status().IsNotFound()) return head.status();
  }
  const std::string prefix = key.empty() || key.back() == '/' ? key : key + "/";
  Result<std::vector<os::ObjectInfo>> listed = (*s3)->List(bucket, prefix);
  if (!listed.ok()) return listed.status();
  std::vector<SourceFile> files;
  for (const os::ObjectInfo& object : *listed) {
    // Zero-byte keys ending in '/' are the folder markers some tools write.
    if (object.key.size() == prefix.size() || object.key.back() == '/') continue;
    Result<SourceFile> file = S3File(bucket, object.key, object.key.substr(prefix.size()), object.size, *s3);
    if (!file.ok()) return file.status();
    files.push_back(std::move(file).value());
  }
  if (files.empty()) return Status::NotFound(where + ": no such object, and no objects under it");
  return files;
}

}  // namespace edgesync
