#include "objectstore/s3_errors.h"

#include "objectstore/s3_xml.h"

namespace edgesync::objectstore {

Status S3AnswerStatus(const HttpResponse& response, const std::string& target, const std::string& bucket,
                      const S3Credentials& credentials) {
  S3ErrorBody error = ParseS3Error(response.body);
  // HEAD answers have no body: the status alone must do.
  std::string detail = "HTTP " + std::to_string(response.status) +
                       (error.code.empty() ? "" : " " + error.code) +
                       (error.message.empty() ? "" : ": " + error.message);
  switch (response.status) {
    case 404:
      if (error.code == "NoSuchBucket")
        return Status::NotFound("bucket '" + bucket + "' does not exist (" + target + ")");
      if (error.code == "NoSuchUpload")
        return Status::NotFound(target + ": the multipart upload no longer exists");
      if (error.code == "NoSuchKey") return Status::NotFound("no object at " + target);
      return Status::NotFound("not found: " + target + " (no such object or bucket; " + detail + ")");
    case 401:
    case 403:
      return Status::PermissionDenied("access denied to " + target + " (" + detail + "; using " +
                                      credentials.ToString() + ")");
    case 412: return Status::Aborted(target + " changed during the read (" + detail + ")");
    case 416:
      return Status::InvalidArgument(target + ": the range asked for is outside the object (" + detail + ")");
    default: break;
  }
  if (error.code == "RequestTimeTooSkewed") {
    return Status::FailedPrecondition(target + ": this host's clock is too far from the server's (" + detail +
                                      ")");
  }
  if (response.status >= 500 || response.status == 429 || error.code == "RequestTimeout") {
    return Status::IoError(target + ": the server kept failing (" + detail + ", after " +
                           std::to_string(response.attempts) + " attempts)");
  }
  return Status::FailedPrecondition(target + ": the server refused the request (" + detail + ")");
}

}  // namespace edgesync::objectstore
