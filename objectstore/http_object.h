// Internal to objectstore/: RangedObject for a plain http(s):// URL (no signing). The version
// is pinned by a strong ETag when the server sends one, else by Last-Modified; redirects are
// followed (to https only, unless insecure http is allowed).
// Thread safety: immutable after construction; safe for concurrent calls.
#pragma once

#include "objectstore/http_exchange.h"
#include "objectstore/ranged_object.h"

namespace edgesync::objectstore {

class HttpObject : public RangedObject {
 public:
  HttpObject(ObjectUrl url, bool allow_insecure_http, HttpLimits limits = {})
      : url_(std::move(url)), allow_insecure_http_(allow_insecure_http), limits_(limits) {}

  Result<ObjectVersion> Stat() override;
  Status ReadRange(const ObjectVersion& version, uint64_t offset, uint64_t length,
                   const ByteSink& sink) override;
  Status ReadAll(const ObjectVersion& version, const ByteSink& sink) override;
  std::string Describe() const override { return url_.ToString(); }

 private:
  HttpRequest Request(const std::string& method) const;
  Status Read(const ObjectVersion& version, uint64_t offset, std::optional<uint64_t> length,
              const ByteSink& sink);
  Status AnswerStatus(const HttpResponse& response) const;

  const ObjectUrl url_;
  const bool allow_insecure_http_;
  const HttpLimits limits_;
};

}  // namespace edgesync::objectstore
