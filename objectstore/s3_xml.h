// Internal to objectstore/: reading S3's XML answers (pugixml). Each function returns
// kIoError when the answer is not the document it should be; `what` names the request's
// object in that message.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "objectstore/object_store.h"

namespace edgesync::objectstore {

struct S3ErrorBody {
  std::string code;     // "NoSuchKey", "SlowDown", ... ("" when the body is no S3 error)
  std::string message;  // the server's sentence, control characters removed, at most 200 bytes
};
// Never fails: an unreadable body gives empty fields. Only Code and Message are read; other
// elements (an echoed StringToSign, the key id) are ignored.
S3ErrorBody ParseS3Error(const std::string& body);

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::string next_continuation_token;  // "" on the last page
};
Result<ListPage> ParseListObjectsV2(const std::string& body, const std::string& what);

Result<std::string> ParseUploadId(const std::string& body, const std::string& what);

// The ETag of a completed multipart upload. S3 may answer 200 with an <Error> document; that
// is returned as kIoError carrying the code.
Result<std::string> ParseCompleteMultipartUpload(const std::string& body, const std::string& what);

// The body of CompleteMultipartUpload.
std::string CompleteMultipartUploadXml(const std::vector<CompletedPart>& parts);

}  // namespace edgesync::objectstore
