#include "transport/transport_status.h"

namespace edgesync::transport {

const char* CodeName(TransportStatus::Code code) {
  switch (code) {
    case TransportStatus::Code::kOk: return "ok";
    case TransportStatus::Code::kInvalidArgument: return "invalid argument";
    case TransportStatus::Code::kMalformed: return "malformed";
    case TransportStatus::Code::kTooLarge: return "too large";
    case TransportStatus::Code::kUnsupported: return "unsupported";
    case TransportStatus::Code::kIoError: return "io error";
    case TransportStatus::Code::kCryptoError: return "crypto error";
    case TransportStatus::Code::kVerifyFailed: return "verify failed";
    case TransportStatus::Code::kRefused: return "refused";
  }
  return "unknown";
}

std::string TransportStatus::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace edgesync::transport
