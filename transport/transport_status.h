// TransportStatus and TransportResult<T>: expected transport failures as values.
//
// transport/ depends on nothing else of ours, so it carries its own small status type instead of
// store/status.h. A TransportStatus is ok or carries a code and a one-line human message.
// Thread-safety: plain values; safe to copy and move between threads.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace edgesync::transport {

class TransportStatus {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,   // caller passed something unusable
    kMalformed,         // bytes from the wire or a file do not parse
    kTooLarge,          // a length exceeds a configured limit
    kUnsupported,       // unknown format or protocol version
    kIoError,           // file or socket failure
    kCryptoError,       // OpenSSL refused to create, sign or load something
    kVerifyFailed,      // a certificate did not verify (expired, wrong CA, revoked ...)
    kRefused,           // the link was refused by policy (hello mismatch, duplicate id ...)
  };

  TransportStatus() = default;
  TransportStatus(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static TransportStatus Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "malformed: frame truncated ..." style one-liner for logs.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

const char* CodeName(TransportStatus::Code code);

// Either a value or a non-ok TransportStatus.
template <typename T>
class TransportResult {
 public:
  TransportResult(T value) : value_(std::move(value)) {}
  TransportResult(TransportStatus status) : status_(std::move(status)) {}

  bool ok() const { return value_.has_value(); }
  const TransportStatus& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  TransportStatus status_;
};

}  // namespace edgesync::transport
