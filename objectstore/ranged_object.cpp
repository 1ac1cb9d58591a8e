#include "objectstore/ranged_object.h"

#include "objectstore/http_object.h"

namespace edgesync::objectstore {
namespace {

class S3Object : public RangedObject {
 public:
  S3Object(ObjectStore* store, ObjectUrl url) : store_(store), url_(std::move(url)) {}

  Result<ObjectVersion> Stat() override {
    Result<ObjectInfo> info = store_->Head(url_.bucket(), url_.key());
    if (!info.ok()) return info.status();
    return ObjectVersion{.size = info->size, .etag = info->etag, .last_modified = info->last_modified};
  }

  Status ReadRange(const ObjectVersion& version, uint64_t offset, uint64_t length,
                   const ByteSink& sink) override {
    GetOptions options{.offset = offset, .length = length, .if_match = version.etag};
    return store_->Get(url_.bucket(), url_.key(), options, sink).status();
  }

  Status ReadAll(const ObjectVersion& version, const ByteSink& sink) override {
    return store_->Get(url_.bucket(), url_.key(), GetOptions{.if_match = version.etag}, sink).status();
  }

  std::string Describe() const override { return url_.ToString(); }

 private:
  ObjectStore* const store_;
  const ObjectUrl url_;
};

}  // namespace

Result<std::unique_ptr<RangedObject>> OpenRangedObject(const ObjectUrl& url, ObjectStore* store,
                                                       const OpenOptions& options) {
  switch (url.scheme()) {
    case ObjectUrl::Scheme::kS3:
      if (url.key().empty() || url.key().back() == '/') {
        return Status::InvalidArgument(url.ToString() + " names a prefix, not an object");
      }
      return std::unique_ptr<RangedObject>(new S3Object(store, url));
    case ObjectUrl::Scheme::kHttp:
      if (!options.allow_insecure_http) {
        return Status::PermissionDenied(
            url.ToString() +
            ": http:// is refused (anyone on the path can read or change the bytes); "
            "use https:// or allow insecure http");
      }
      [[fallthrough]];
    case ObjectUrl::Scheme::kHttps:
      return std::unique_ptr<RangedObject>(new HttpObject(url, options.allow_insecure_http, options.limits));
  }
  return Status::InvalidArgument(url.ToString() + ": unknown scheme");
}

}  // namespace edgesync::objectstore
