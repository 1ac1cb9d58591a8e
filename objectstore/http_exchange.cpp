#include "objectstore/http_exchange.h"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace edgesync::objectstore {
namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;

// curl_global_init is not thread-safe and must run once before any handle exists.
void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Easy handles are kept per thread and reused, so that a thread's requests to one endpoint
// reuse the connection. A thread may need a second one while the first is busy: a sink called
// from inside a transfer may itself make a request.
class HandleLease {
 public:
  HandleLease() {
    GlobalInitOnce();
    Pool& pool = ThreadPool();
    if (pool.idle.empty()) {
      handle_ = curl_easy_init();
    } else {
      handle_ = pool.idle.back();
      pool.idle.pop_back();
      curl_easy_reset(handle_);
    }
  }
  ~HandleLease() { ThreadPool().idle.push_back(handle_); }
  HandleLease(const HandleLease&) = delete;
  HandleLease& operator=(const HandleLease&) = delete;

  CURL* get() const { return handle_; }

 private:
  struct Pool {
    std::vector<CURL*> idle;
    ~Pool() {
      for (CURL* handle : idle) curl_easy_cleanup(handle);
    }
  };
  static Pool& ThreadPool() {
    thread_local Pool pool;
    return pool;
  }

  CURL* handle_;
};

struct Transfer {
  const ByteSink* sink = nullptr;
  HttpResponse* response = nullptr;
  Status sink_status;
  std::string_view upload;
  size_t upload_pos = 0;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new answer (after a 100 Continue or a redirect): forget the previous one's headers.
    transfer->response->headers.clear();
    size_t space = line.find(' ');
    transfer->response->status =
        space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    transfer->response->headers[name] = std::string(value);
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  long status = transfer->response->status;
  if (transfer->sink != nullptr && status >= 200 && status < 300) {
    Status written = (*transfer->sink)(std::string_view(data, bytes));
    if (!written.ok()) {
      transfer->sink_status = std::move(written);
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    return bytes;
  }
  std::string& body = transfer->response->body;
  if (transfer->sink == nullptr || body.size() < kMaxErrorBody) {
    size_t room = transfer->sink == nullptr ? bytes : std::min(bytes, kMaxErrorBody - body.size());
    body.append(data, room);
  }
  return bytes;
}

size_t OnUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t n = std::min(size * count, transfer->upload.size() - transfer->upload_pos);
  std::memcpy(buffer, transfer->upload.data() + transfer->upload_pos, n);
  transfer->upload_pos += n;
  return n;
}

// curl rewinds the body when it has to send it again on the same try (a redirect, a reused
// connection that was closed under it).
int OnSeek(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > transfer->upload.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  transfer->upload_pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

bool IsRetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return true;
    default: return false;
  }
}

bool IsRetryableAnswer(const HttpResponse& response) {
  long status = response.status;
  if (status == 500 || status == 502 || status == 503 || status == 504 || status == 429) return true;
  // S3 answers 400 RequestTimeout when it waited too long for a request body.
  return status == 400 && response.body.find("<Code>RequestTimeout</Code>") != std::string::npos;
}

void Pause(const HttpLimits& limits, int attempt) {
  std::this_thread::sleep_for(limits.retry.Delay(attempt));
}

std::string Attempts(int attempts) {
  return " (after " + std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)");
}

// Checks a 2xx answer of a (resumed) ranged GET: it must answer the range asked for and be
// the same version of the object as the first answer. Pins that version on the first answer.
Status CheckRangeAnswer(const HttpResponse& response, uint64_t start, bool ranged,
                        std::optional<uint64_t> length, PinnedVersion* pinned, const std::string& what) {
  if (response.status == 206) {
    std::string range = response.Header("content-range");
    if (range.rfind("bytes " + std::to_string(start) + "-", 0) != 0) {
      return Status::IoError(what + ": the server answered another range (" + range + ")");
    }
  } else if (ranged && !(start == 0 && (!length || ObjectSizeOf(response) == length))) {
    return Status::Unsupported(what + ": the server ignores Range requests");
  }
  std::string etag = response.Header("etag");
  std::string last_modified = response.Header("last-modified");
  if (pinned->empty()) {
    // A weak ETag cannot be used with If-Match (strong comparison); fall back to the date.
    if (!etag.empty() && etag.rfind("W/", 0) != 0) {
      pinned->etag = etag;
    } else {
      pinned->last_modified = last_modified;
    }
    return Status::Ok();
  }
  if (!pinned->etag.empty() && etag != pinned->etag) {
    return Status::Aborted(what + " changed during the read (ETag " + pinned->etag + " became " +
                           (etag.empty() ? "none" : etag) + ")");
  }
  if (pinned->etag.empty() && !pinned->last_modified.empty() && last_modified != pinned->last_modified) {
    return Status::Aborted(what + " changed during the read (Last-Modified " + pinned->last_modified +
                           " became " + (last_modified.empty() ? "none" : last_modified) + ")");
  }
  return Status::Ok();
}

}  // namespace

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::optional<uint64_t> ObjectSizeOf(const HttpResponse& response) {
  std::string range = response.Header("content-range");
  size_t slash = range.rfind('/');
  std::string size = slash != std::string::npos ? range.substr(slash + 1)
                     : response.status == 200   ? response.Header("content-length")
                                                : "";
  if (size.empty() || size.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(size);
}

Status HttpExchange::PerformOnce(const HttpRequest& request, const HttpLimits& limits, const ByteSink* sink,
                                 HttpResponse* response, bool* retryable) {
  *retryable = false;
  HandleLease lease;
  CURL* curl = lease.get();
  Transfer transfer{.sink = sink, .response = response, .upload = request.body};
  char error[CURL_ERROR_SIZE] = {};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without signals: we run on many threads
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, limits.low_speed_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(limits.low_speed_time.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  if (request.follow_redirects) {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR,
                     request.https_redirects_only ? "https" : "http,https");
  }

  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, OnSeek);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (!request.range.empty()) curl_easy_setopt(curl, CURLOPT_RANGE, request.range.c_str());

  std::string provider;
  if (request.sign != nullptr && !request.sign->anonymous()) {
    provider = "aws:amz:" + request.region + ":s3";
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, provider.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.sign->access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.sign->secret_access_key.c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const std::string& header : request.headers)
    headers.reset(curl_slist_append(headers.release(), header.c_str()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

  CURLcode code = curl_easy_perform(curl);
  if (!transfer.sink_status.ok()) return transfer.sink_status;
  if (code != CURLE_OK) {
    *retryable = IsRetryableCurlError(code);
    return Status::IoError(error[0] != '\0' ? error : curl_easy_strerror(code));
  }
  return Status::Ok();
}

Result<HttpResponse> HttpExchange::Perform(const HttpRequest& request, const HttpLimits& limits,
                                           const std::string& what) {
  for (int attempt = 1;; ++attempt) {
    HttpResponse response;
    bool retryable = false;
    Status status = PerformOnce(request, limits, nullptr, &response, &retryable);
    response.attempts = attempt;
    bool last = attempt >= limits.retry.max_attempts;
    if (!status.ok()) {
      if (!retryable) return Status::IoError(what + ": " + status.message());
      if (last) return Status::IoError(what + ": " + status.message() + Attempts(attempt));
    } else if (!IsRetryableAnswer(response) || last) {
      return response;
    }
    Pause(limits, attempt);
  }
}

Result<HttpResponse> HttpExchange::StreamGet(const HttpRequest& base, uint64_t offset,
                                             std::optional<uint64_t> length, PinnedVersion* pinned,
                                             const HttpLimits& limits, const std::string& what,
                                             const ByteSink& sink) {
  uint64_t delivered = 0;
  std::optional<uint64_t> expected = length;
  std::optional<HttpResponse> first;
  int attempt = 0;  // tries since the last one that delivered bytes
  int total_attempts = 0;
  while (true) {
    ++attempt;
    ++total_attempts;
    uint64_t start = offset + delivered;
    bool ranged = start > 0 || length.has_value();
    HttpRequest request = base;
    if (ranged) {
      request.range = std::to_string(start) + "-" + (length ? std::to_string(offset + *length - 1) : "");
    }
    if (!pinned->etag.empty()) {
      request.headers.push_back("If-Match: " + pinned->etag);
    } else if (!pinned->last_modified.empty()) {
      request.headers.push_back("If-Unmodified-Since: " + pinned->last_modified);
    }

    HttpResponse response;
    bool checked = false;
    uint64_t this_try = 0;
    auto check = [&]() {
      checked = true;
      return CheckRangeAnswer(response, start, ranged, length, pinned, what);
    };
    ByteSink counting = [&](std::string_view bytes) -> Status {
      if (!checked) EDGESYNC_RETURN_IF_ERROR(check());
      this_try += bytes.size();
      delivered += bytes.size();
      return sink(bytes);
    };
    bool retryable = false;
    Status status = PerformOnce(request, limits, &counting, &response, &retryable);
    response.attempts = total_attempts;
    if (this_try > 0) attempt = 1;  // progress: a flaky link may need more tries than a dead one
    bool last = attempt >= limits.retry.max_attempts;

    if (!status.ok()) {
      if (!retryable) return status;
      if (last) return Status::IoError(what + ": " + status.message() + Attempts(total_attempts));
      Pause(limits, attempt);
      continue;
    }
    if (response.status == 412) {
      return Status::Aborted(what + " changed during the read (the server refused If-Match " + pinned->etag +
                             pinned->last_modified + ")");
    }
    if (response.status >= 200 && response.status < 300) {
      if (!checked) EDGESYNC_RETURN_IF_ERROR(check());
      if (!first) {
        first = response;
        std::optional<uint64_t> size = ObjectSizeOf(response);
        if (!expected && size) expected = *size - offset;
      }
      if (!expected || delivered >= *expected) return *first;
      // The body ended early without an error curl could see (no Content-Length): resume.
      if (last) return Status::IoError(what + ": the body ended early" + Attempts(total_attempts));
      Pause(limits, attempt);
      continue;
    }
    if (!IsRetryableAnswer(response) || last) return response;
    Pause(limits, attempt);
  }
}

}  // namespace edgesync::objectstore
