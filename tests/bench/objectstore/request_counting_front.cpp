#include "tests/bench/objectstore/request_counting_front.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

namespace edgesync::testing {
namespace {

// The value of header `name` (lower case, with the colon) in `head` (lower case); "" if absent.
std::string Header(const std::string& head, const std::string& name) {
  size_t at = head.find("\r\n" + name);
  if (at == std::string::npos) return "";
  at += 2 + name.size();
  size_t end = head.find("\r\n", at);
  std::string value = head.substr(at, end - at);
  value.erase(0, value.find_first_not_of(" \t"));
  return value;
}

}  // namespace

RequestCountingFront::RequestCountingFront(uint16_t upstream_port)
    : relay_(upstream_port, [this](bool to_upstream) -> TcpRelay::Observer {
        return to_upstream ? RequestParser() : nullptr;
      }) {}

std::map<std::string, uint64_t> RequestCountingFront::TakeCounts() {
  MutexLock lock(mu_);
  std::map<std::string, uint64_t> counts;
  counts.swap(counts_);
  return counts;
}

void RequestCountingFront::CountHead(const std::string& head, uint64_t* body_bytes, bool* followed) {
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (Header(lower, "transfer-encoding:").find("chunked") != std::string::npos) {
    *followed = false;
    complete_ = false;
  }
  *body_bytes = std::strtoull(Header(lower, "content-length:").c_str(), nullptr, 10);
  MutexLock lock(mu_);
  ++counts_[head.substr(0, head.find(' '))];
}

TcpRelay::Observer RequestCountingFront::RequestParser() {
  struct State {
    std::string head;        // the request head read so far
    uint64_t body_left = 0;  // bytes of the current request's body still to come
    bool followed = true;
  };
  return [this, state = std::make_shared<State>()](std::string_view bytes) {
    while (state->followed && !bytes.empty()) {
      if (state->body_left > 0) {
        const size_t skip = static_cast<size_t>(std::min<uint64_t>(state->body_left, bytes.size()));
        state->body_left -= skip;
        bytes.remove_prefix(skip);
        continue;
      }
      state->head.append(bytes);
      const size_t end = state->head.find("\r\n\r\n");
      if (end == std::string::npos) break;
      const size_t rest = state->head.size() - (end + 4);  // bytes after the head, all from this read
      CountHead(state->head.substr(0, end + 2), &state->body_left, &state->followed);
      bytes.remove_prefix(bytes.size() - rest);
      state->head.clear();
    }
  };
}

}  // namespace edgesync::testing
