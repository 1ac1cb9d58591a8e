#include "objectstore/object_url.h"

#include <charconv>

namespace edgesync::objectstore {
namespace {

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }
bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool IsUnreserved(char c) { return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
// RFC 3986 pchar without '%' (escapes are checked on their own), plus '/'.
bool IsPathChar(char c) {
  return IsUnreserved(c) || std::string_view("!$&'()*+,;=:@/").find(c) != std::string_view::npos;
}
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status Refuse(std::string_view text, const std::string& why) {
  // The text is shown only up to a '?' (a query may hold a signature) and without control
  // characters, which are what some refusals are about.
  std::string shown;
  for (char c : text.substr(0, text.find('?'))) shown += IsControl(c) ? '?' : c;
  return Status::InvalidArgument("URL '" + shown + "': " + why);
}

// Checks the segments of a decoded path or key: no `.` or `..`, no control characters.
Status CheckDecodedSegments(std::string_view full, std::string_view decoded, std::string_view what) {
  for (unsigned char c : decoded) {
    if (IsControl(c)) return Refuse(full, std::string(what) + " holds a control character");
  }
  size_t start = 0;
  while (start <= decoded.size()) {
    size_t end = decoded.find('/', start);
    if (end == std::string_view::npos) end = decoded.size();
    std::string_view segment = decoded.substr(start, end - start);
    if (segment == "." || segment == "..") {
      return Refuse(full, std::string(what) + " holds a '" + std::string(segment) +
                              "' segment (a relative path is not an object name)");
    }
    start = end + 1;
  }
  return Status::Ok();
}

Status CheckBucket(std::string_view full, const std::string& bucket) {
  if (bucket.empty()) return Refuse(full, "no bucket name (expected s3://bucket/key)");
  auto bad = [&](const std::string& why) {
    return Refuse(full, "bucket name '" + bucket + "' is not valid: " + why);
  };
  if (bucket.size() < 3 || bucket.size() > 63) return bad("it must be 3 to 63 characters long");
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return bad("only lower-case letters, digits, '.' and '-' are allowed");
    }
  }
  if (!IsAlnum(bucket.front()) || !IsAlnum(bucket.back())) {
    return bad("it must start and end with a letter or digit");
  }
  if (bucket.find("..") != std::string::npos) return bad("it must not hold '..'");
  return Status::Ok();
}

Result<uint16_t> ParsePort(std::string_view full, std::string_view digits) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value == 0 ||
      value > 65535) {
    return Refuse(full, "port '" + std::string(digits) + "' is not a number from 1 to 65535");
  }
  return static_cast<uint16_t>(value);
}

// Checks that `part` (a path or a query) holds only URL characters and well-formed escapes.
Status CheckUrlChars(std::string_view full, std::string_view part, bool query, std::string_view what) {
  for (size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    if (IsControl(static_cast<unsigned char>(c)))
      return Refuse(full, std::string(what) + " holds a control character");
    if (c == '%') {
      if (i + 2 >= part.size() || HexValue(part[i + 1]) < 0 || HexValue(part[i + 2]) < 0) {
        return Refuse(full, std::string(what) + " holds a bad percent-escape (expected %XX with hex digits)");
      }
      i += 2;
      continue;
    }
    if (!IsPathChar(c) && !(query && c == '?')) {
      return Refuse(full, std::string(what) + " holds the character '" + std::string(1, c) +
                              "', which must be percent-encoded");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> PercentDecode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Status::InvalidArgument(std::string(what) +
                                     " holds a bad percent-escape (expected %XX with hex digits)");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string AwsUriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(static_cast<char>(c)) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<ObjectUrl> ObjectUrl::Parse(std::string_view text) {
  ObjectUrl url;
  size_t colon = text.find("://");
  if (colon == std::string_view::npos) {
    return Refuse(text, "expected s3://bucket/key, https://host/path or http://host/path");
  }
  std::string scheme;
  for (char c : text.substr(0, colon)) scheme += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (scheme == "s3") {
    url.scheme_ = Scheme::kS3;
  } else if (scheme == "https") {
    url.scheme_ = Scheme::kHttps;
  } else if (scheme == "http") {
    url.scheme_ = Scheme::kHttp;
  } else {
    return Status::Unsupported("URL scheme '" + scheme + "' is not supported (s3://, https://, http://)");
  }
  for (unsigned char c : text) {
    if (IsControl(c)) return Refuse(text, "holds a control character");
  }
  std::string_view rest = text.substr(colon + 3);

  if (url.is_s3()) {
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (authority.find('@') != std::string_view::npos) {
      return Refuse(text,
                    "a URL must not carry credentials (user@ or user:password@); configure them instead");
    }
    url.bucket_ = std::string(authority);
    EDGESYNC_RETURN_IF_ERROR(CheckBucket(text, url.bucket_));
    if (slash != std::string_view::npos) {
      Result<std::string> key = PercentDecode(rest.substr(slash + 1), "the key");
      if (!key.ok()) return Refuse(text, key.status().message());
      url.key_ = std::move(*key);
      EDGESYNC_RETURN_IF_ERROR(CheckDecodedSegments(text, url.key_, "the key"));
    }
    return url;
  }

  if (rest.find('#') != std::string_view::npos) return Refuse(text, "a fragment ('#...') is not allowed");
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return Refuse(text, "a URL must not carry credentials (user@ or user:password@); configure them instead");
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Refuse(text, "an IPv6 address is missing its ']'");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Refuse(text, "unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return Refuse(text, "an empty port");
    }
    for (char c : host.substr(1, host.size() - 2)) {
      if (!(HexValue(c) >= 0 || c == ':' || c == '.')) return Refuse(text, "the IPv6 address is not valid");
    }
  } else {
    size_t port_colon = authority.rfind(':');
    if (port_colon != std::string_view::npos) {
      host = authority.substr(0, port_colon);
      port = authority.substr(port_colon + 1);
      if (port.empty()) return Refuse(text, "an empty port");
    }
    for (char c : host) {
      if (!(IsAlnum(c) || c == '-' || c == '.')) {
        return Refuse(text, "the host name holds the character '" + std::string(1, c) + "'");
      }
    }
  }
  if (host.empty() || host == "[]") return Refuse(text, "no host name");
  url.host_ = std::string(host);
  if (!port.empty()) {
    Result<uint16_t> number = ParsePort(text, port);
    if (!number.ok()) return number.status();
    url.port_ = *number;
  }

  std::string_view path_and_query = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  size_t question = path_and_query.find('?');
  std::string_view path = path_and_query.substr(0, question);
  url.path_ = path.empty() ? "/" : std::string(path);
  EDGESYNC_RETURN_IF_ERROR(CheckUrlChars(text, url.path_, false, "the path"));
  Result<std::string> decoded = PercentDecode(url.path_, "the path");
  if (!decoded.ok()) return Refuse(text, decoded.status().message());
  EDGESYNC_RETURN_IF_ERROR(CheckDecodedSegments(text, *decoded, "the path"));
  if (question != std::string_view::npos) {
    url.query_ = std::string(path_and_query.substr(question + 1));
    EDGESYNC_RETURN_IF_ERROR(CheckUrlChars(text, url.query_, true, "the query"));
  }
  return url;
}

std::string ObjectUrl::RequestUrl() const {
  std::string out = scheme_ == Scheme::kHttps ? "https://" : "http://";
  out += host_;
  if (port_ != 0) out += ":" + std::to_string(port_);
  out += path_;
  if (!query_.empty()) out += "?" + query_;
  return out;
}

std::string ObjectUrl::ToString() const {
  if (is_s3()) return "s3://" + bucket_ + "/" + key_;
  std::string out = scheme_ == Scheme::kHttps ? "https://" : "http://";
  out += host_;
  if (port_ != 0) out += ":" + std::to_string(port_);
  out += path_;
  if (!query_.empty()) out += "?…";
  return out;
}

}  // namespace edgesync::objectstore
