#include "objectstore/http_object.h"

namespace edgesync::objectstore {

HttpRequest HttpObject::Request(const std::string& method) const {
  HttpRequest request;
  request.method = method;
  request.url = url_.RequestUrl();
  request.follow_redirects = true;
  request.https_redirects_only = !allow_insecure_http_;
  return request;
}

Status HttpObject::AnswerStatus(const HttpResponse& response) const {
  std::string what = Describe() + " (HTTP " + std::to_string(response.status) + ")";
  switch (response.status) {
    case 404:
    case 410: return Status::NotFound("no object at " + what);
    case 401:
    case 403: return Status::PermissionDenied("access denied to " + what);
    case 412: return Status::Aborted(Describe() + " changed during the read");
    default: break;
  }
  if (response.status >= 500 || response.status == 429) {
    return Status::IoError(what + ": the server kept failing (after " + std::to_string(response.attempts) +
                           " attempts)");
  }
  return Status::FailedPrecondition(what + ": the server refused the request");
}

Result<ObjectVersion> HttpObject::Stat() {
  Result<HttpResponse> response = HttpExchange::Perform(Request("HEAD"), limits_, Describe());
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return AnswerStatus(*response);
  ObjectVersion version;
  std::optional<uint64_t> size = ObjectSizeOf(*response);
  if (!size) return Status::Unsupported(Describe() + ": the server gives no size (Content-Length)");
  version.size = *size;
  std::string etag = response->Header("etag");
  if (etag.rfind("W/", 0) != 0) version.etag = etag;
  version.last_modified = response->Header("last-modified");
  version.ranges = response->Header("accept-ranges") == "bytes";
  return version;
}

Status HttpObject::Read(const ObjectVersion& version, uint64_t offset, std::optional<uint64_t> length,
                        const ByteSink& sink) {
  PinnedVersion pinned{.etag = version.etag,
                       .last_modified = version.etag.empty() ? version.last_modified : ""};
  Result<HttpResponse> response =
      HttpExchange::StreamGet(Request("GET"), offset, length, &pinned, limits_, Describe(), sink);
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status >= 300) return AnswerStatus(*response);
  return Status::Ok();
}

Status HttpObject::ReadRange(const ObjectVersion& version, uint64_t offset, uint64_t length,
                             const ByteSink& sink) {
  return Read(version, offset, length, sink);
}

Status HttpObject::ReadAll(const ObjectVersion& version, const ByteSink& sink) {
  return Read(version, 0, std::nullopt, sink);
}

}  // namespace edgesync::objectstore
