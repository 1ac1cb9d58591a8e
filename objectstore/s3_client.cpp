#include "objectstore/s3_client.h"

#include <openssl/evp.h>

#include <algorithm>

#include "objectstore/http_exchange.h"
#include "objectstore/object_url.h"
#include "objectstore/s3_errors.h"
#include "objectstore/s3_xml.h"

namespace edgesync::objectstore {
namespace {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

std::string Target(const std::string& bucket, const std::string& key) { return "s3://" + bucket + "/" + key; }

Status CheckMetadata(const Metadata& metadata) {
  for (const auto& [name, value] : metadata) {
    bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!name_ok) {
      return Status::InvalidArgument("metadata name '" + name + "': only lower-case letters, digits and '-'");
    }
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
      return Status::InvalidArgument("metadata '" + name + "': the value must be printable ASCII");
    }
  }
  return Status::Ok();
}

ObjectInfo InfoFromHeaders(const HttpResponse& response, const std::string& key) {
  ObjectInfo info;
  info.key = key;
  info.size = ObjectSizeOf(response).value_or(0);
  info.etag = response.Header("etag");
  info.last_modified = response.Header("last-modified");
  static const std::string kMeta = "x-amz-meta-";
  for (const auto& [name, value] : response.headers) {
    if (name.rfind(kMeta, 0) == 0) info.metadata[name.substr(kMeta.size())] = value;
  }
  return info;
}

bool Succeeded(const HttpResponse& response) { return response.status >= 200 && response.status < 300; }

}  // namespace

Result<std::unique_ptr<S3Client>> S3Client::Create(S3Config config, HttpLimits limits) {
  if (config.host.empty()) return Status::InvalidArgument("S3 client: no endpoint host");
  if (limits.retry.max_attempts < 1)
    return Status::InvalidArgument("S3 client: max_attempts must be at least 1");
  return std::unique_ptr<S3Client>(new S3Client(std::move(config), limits));
}

HttpRequest S3Client::Request(const std::string& method, const std::string& bucket, const std::string& key,
                              const Query& query, std::string_view body) const {
  HttpRequest request;
  request.method = method;
  std::string port = config_.port != 0 ? ":" + std::to_string(config_.port) : "";
  std::string scheme = config_.https ? "https://" : "http://";
  std::string path = "/" + AwsUriEncode(key, true);
  if (config_.path_style) {
    request.url = scheme + config_.host + port + "/" + bucket + (key.empty() ? "" : path);
  } else {
    request.url = scheme + bucket + "." + config_.host + port + path;
  }
  // libcurl 7.88 signs the query exactly as written, so it must already be SigV4's canonical
  // form: sorted by name, every name with '=', names and values AWS-URI-encoded.
  Query sorted = query;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    request.url += (i == 0 ? "?" : "&") + AwsUriEncode(sorted[i].first, false) + "=" +
                   AwsUriEncode(sorted[i].second, false);
  }
  request.body = body;
  request.headers.push_back("x-amz-content-sha256: " + Sha256Hex(body));
  if (!config_.credentials.session_token.empty()) {
    request.headers.push_back("x-amz-security-token: " + config_.credentials.session_token);
  }
  request.sign = &config_.credentials;
  request.region = config_.region;
  return request;
}

Result<HttpResponse> S3Client::Send(const HttpRequest& request, const std::string& bucket,
                                    const std::string& key) const {
  std::string target = Target(bucket, key);
  Result<HttpResponse> response =
      HttpExchange::Perform(request, limits_, target + " at " + config_.EndpointUrl());
  if (!response.ok()) return response.status();
  if (!Succeeded(*response)) return S3AnswerStatus(*response, target, bucket, config_.credentials);
  return response;
}

Result<ObjectInfo> S3Client::Head(const std::string& bucket, const std::string& key) {
  Result<HttpResponse> response = Send(Request("HEAD", bucket, key, {}, {}), bucket, key);
  if (!response.ok()) return response.status();
  return InfoFromHeaders(*response, key);
}

Result<ObjectInfo> S3Client::Get(const std::string& bucket, const std::string& key, const GetOptions& options,
                                 const ByteSink& sink) {
  std::string target = Target(bucket, key);
  PinnedVersion pinned{.etag = options.if_match};
  Result<HttpResponse> response = HttpExchange::StreamGet(Request("GET", bucket, key, {}, {}), options.offset,
                                                          options.length, &pinned, limits_, target, sink);
  if (!response.ok()) return response.status();
  if (!Succeeded(*response)) return S3AnswerStatus(*response, target, bucket, config_.credentials);
  return InfoFromHeaders(*response, key);
}

Result<std::vector<ObjectInfo>> S3Client::List(const std::string& bucket, const std::string& prefix,
                                               int page_size) {
  std::vector<ObjectInfo> objects;
  std::string token;
  page_size = std::clamp(page_size, 1, 1000);
  do {
    Query query = {{"list-type", "2"}, {"max-keys", std::to_string(page_size)}, {"prefix", prefix}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    Result<HttpResponse> response = Send(Request("GET", bucket, "", query, {}), bucket, prefix);
    if (!response.ok()) return response.status();
    Result<ListPage> page = ParseListObjectsV2(response->body, Target(bucket, prefix));
    if (!page.ok()) return page.status();
    for (ObjectInfo& info : page->objects) objects.push_back(std::move(info));
    token = page->next_continuation_token;
  } while (!token.empty());
  return objects;
}

Result<std::string> S3Client::Put(const std::string& bucket, const std::string& key, std::string_view data,
                                  const Metadata& metadata) {
  EDGESYNC_RETURN_IF_ERROR(CheckMetadata(metadata));
  HttpRequest request = Request("PUT", bucket, key, {}, data);
  request.headers.push_back("Content-Type: application/octet-stream");
  for (const auto& [name, value] : metadata) request.headers.push_back("x-amz-meta-" + name + ": " + value);
  Result<HttpResponse> response = Send(request, bucket, key);
  if (!response.ok()) return response.status();
  return response->Header("etag");
}

Result<std::string> S3Client::CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                    const Metadata& metadata) {
  EDGESYNC_RETURN_IF_ERROR(CheckMetadata(metadata));
  HttpRequest request = Request("POST", bucket, key, {{"uploads", ""}}, {});
  request.headers.push_back("Content-Type: application/octet-stream");
  for (const auto& [name, value] : metadata) request.headers.push_back("x-amz-meta-" + name + ": " + value);
  Result<HttpResponse> response = Send(request, bucket, key);
  if (!response.ok()) return response.status();
  return ParseUploadId(response->body, Target(bucket, key));
}

Result<std::string> S3Client::UploadPart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int part_number,
                                         std::string_view data) {
  HttpRequest request = Request("PUT", bucket, key,
                                {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}}, data);
  Result<HttpResponse> response = Send(request, bucket, key);
  if (!response.ok()) return response.status();
  std::string etag = response->Header("etag");
  if (etag.empty())
    return Status::IoError(Target(bucket, key) + ": part " + std::to_string(part_number) + " got no ETag");
  return etag;
}

Result<std::string> S3Client::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                      const std::string& upload_id,
                                                      const std::vector<CompletedPart>& parts) {
  std::string body = CompleteMultipartUploadXml(parts);
  HttpRequest request = Request("POST", bucket, key, {{"uploadId", upload_id}}, body);
  request.headers.push_back("Content-Type: application/xml");
  Result<HttpResponse> response = Send(request, bucket, key);
  if (!response.ok()) return response.status();
  return ParseCompleteMultipartUpload(response->body, Target(bucket, key));
}

Status S3Client::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) {
  Result<HttpResponse> response =
      Send(Request("DELETE", bucket, key, {{"uploadId", upload_id}}, {}), bucket, key);
  return response.status();
}

Status S3Client::Delete(const std::string& bucket, const std::string& key) {
  return Send(Request("DELETE", bucket, key, {}, {}), bucket, key).status();
}

Status S3Client::CreateBucket(const std::string& bucket) {
  return Send(Request("PUT", bucket, "", {}, {}), bucket, "").status();
}

Status S3Client::DeleteBucket(const std::string& bucket) {
  return Send(Request("DELETE", bucket, "", {}, {}), bucket, "").status();
}

}  // namespace edgesync::objectstore
