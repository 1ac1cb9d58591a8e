// JoinTokenStore: one-time tokens that let a new node get its certificate (docs/security.md,
// "Joining with a token"). A token is "esj1.<role>.<64 hex digits>": 256 random bits, and the
// role it is bound to in clear so the joining node can ask for it. Only its SHA-256 is kept,
// with the role, labels, certificate validity, expiry and whether it was used, in a JSON file
// (mode 0600) rewritten atomically at each change, so a restart forgets nothing.
// Thread-safety: safe for concurrent access.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"

namespace edgesync {

// What a redeemed token grants.
struct JoinGrant {
  std::string role;
  std::map<std::string, std::string> labels;
  int cert_days = 365;
};

struct IssuedToken {
  std::string token;  // secret: shown once, never logged
  int64_t expires_ms = 0;
};

inline constexpr std::chrono::hours kMaxTokenTtl{24 * 7};

class JoinTokenStore {
 public:
  // Reads `file` if it exists (a missing file: no tokens).
  static Result<std::unique_ptr<JoinTokenStore>> Open(std::filesystem::path file);

  // REQUIRES: `role` a valid identity name, 0 < ttl <= kMaxTokenTtl, 0 < cert_days <= 3650.
  // Expired and used tokens are dropped from the file here.
  Result<IssuedToken> Issue(const JoinGrant& grant, std::chrono::milliseconds ttl);

  // Checks `token` for a request that asks for `requested_role`. Unknown, used, expired or
  // another role's token: PermissionDenied with the reason (the token is not consumed by a
  // wrong-role attempt). Otherwise the token is marked used in the file and its grant returned.
  Result<JoinGrant> Redeem(const std::string& token, const std::string& requested_role);

 private:
  explicit JoinTokenStore(std::filesystem::path file) : file_(std::move(file)) {}
  Status Save() REQUIRES(mu_);

  const std::filesystem::path file_;
  Mutex mu_;
  nlohmann::json tokens_ GUARDED_BY(mu_) = nlohmann::json::object();  // sha256 hex -> entry
};

}  // namespace edgesync
