#include "status/http_access.h"

#include <algorithm>
#include <cctype>

namespace edgesync {

namespace {

bool SameSecret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? a[i] : 0;
    unsigned char y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

std::string_view TargetPath(std::string_view target) { return target.substr(0, target.find('?')); }

std::optional<std::string> QueryParameter(std::string_view target, std::string_view name) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name)
      return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool TokenAccepted(std::string_view token, std::string_view authorization,
                   const std::optional<std::string>& query_token) {
  if (token.empty()) return true;
  constexpr std::string_view kScheme = "Bearer ";
  bool header_ok = authorization.size() > kScheme.size() &&
                   Lower(authorization.substr(0, kScheme.size() - 1)) == "bearer" &&
                   authorization[kScheme.size() - 1] == ' ' &&
                   SameSecret(authorization.substr(kScheme.size()), token);
  bool query_ok = query_token && SameSecret(*query_token, token);
  return header_ok || query_ok;
}

std::vector<std::string> DefaultAllowedOrigins(const std::string& host, uint16_t port) {
  const std::string suffix = ":" + std::to_string(port);
  std::vector<std::string> out = {"http://127.0.0.1" + suffix, "http://localhost" + suffix};
  std::string bound = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (bound != "127.0.0.1" && !bound.empty()) out.push_back("http://" + bound + suffix);
  return out;
}

bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed) {
  if (origin.empty()) return true;
  const std::string wanted = Lower(origin);
  return std::any_of(allowed.begin(), allowed.end(),
                     [&](const std::string& a) { return Lower(a) == wanted; });
}

}  // namespace edgesync
