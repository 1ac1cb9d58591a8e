// ObjectSources: the catalog's RemoteSources over the object-storage client. An s3:// URL names
// one object or a prefix (listed with ListObjectsV2); an https:// (or, when allowed, http://)
// URL names one object. Each listed file streams its bytes with parallel ranged GETs straight
// into the put's chunker: nothing is copied to local disk.
//
// The S3 client is made when an s3:// URL is first read, from the daemon's [s3] settings and
// the AWS environment, so a node that never reads S3 needs no credentials. It also serves
// exports (version_export.h). Safe for concurrent access.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "catalog/remote_sources.h"
#include "objectstore/object_store.h"
#include "objectstore/s3_settings.h"

namespace edgesync {

class ObjectSources : public RemoteSources {
 public:
  ObjectSources(objectstore::S3Settings settings, objectstore::S3Environment environment);
  ~ObjectSources() override;

  Result<std::vector<SourceFile>> List(const std::string& url, const RemoteListOptions& options) override;

  // The S3 client, made on first use; fails when the configuration cannot be resolved (a
  // named credentials file that is missing, a bad endpoint). Lives as long as this object.
  Result<objectstore::ObjectStore*> S3() EXCLUDES(mu_);

 private:
  Result<std::vector<SourceFile>> ListS3(const std::string& bucket, const std::string& key);

  const objectstore::S3Settings settings_;
  const objectstore::S3Environment environment_;
  Mutex mu_;
  std::unique_ptr<objectstore::ObjectStore> s3_ GUARDED_BY(mu_);
};

}  // namespace edgesync
