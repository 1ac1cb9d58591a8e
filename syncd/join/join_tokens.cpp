#include "syncd/join/join_tokens.h"

#include <openssl/rand.h>

#include "store/sha256.h"
#include "checkout/json_file.h"
#include "transport/clock_skew.h"
#include "transport/identity.h"

namespace edgesync {
namespace {

using nlohmann::json;

constexpr const char* kTokenPrefix = "esj1.";
constexpr size_t kSecretBytes = 32;
constexpr size_t kMaxTokenLength = 256;

std::string HashOf(const std::string& token) {
  Sha256 hash;
  hash.Update(token.data(), token.size());
  return hash.FinishHex();
}

int64_t NowMs() { return static_cast<int64_t>(transport::WallClockMs()); }

}  // namespace

Result<std::unique_ptr<JoinTokenStore>> JoinTokenStore::Open(std::filesystem::path file) {
  std::unique_ptr<JoinTokenStore> store(new JoinTokenStore(std::move(file)));
  Result<json> read = ReadJsonObjectFile(store->file_);
  if (!read.ok()) return read.status();
  json tokens = read->value("tokens", json::object());
  if (!tokens.is_object()) return Status::Corruption(store->file_.string() + " is not a join token file");
  MutexLock lock(store->mu_);
  store->tokens_ = std::move(tokens);
  return store;
}

Result<IssuedToken> JoinTokenStore::Issue(const JoinGrant& grant, std::chrono::milliseconds ttl) {
  if (!transport::IsValidIdentityName(grant.role))
    return Status::InvalidArgument("role '" + grant.role + "' is not a valid name");
  if (ttl.count() <= 0 || ttl > kMaxTokenTtl)
    return Status::InvalidArgument("a token's ttl must be above 0 and at most 7 days");
  if (grant.cert_days <= 0 || grant.cert_days > 3650)
    return Status::InvalidArgument("certificate validity must be 1 to 3650 days");
  unsigned char secret[kSecretBytes];
  if (RAND_bytes(secret, sizeof secret) != 1) return Status::IoError("no random bytes for a token");
  IssuedToken issued{kTokenPrefix + grant.role + "." + Sha256::HexOf(secret, sizeof secret),
                     NowMs() + ttl.count()};
  MutexLock lock(mu_);
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    const json& entry = it.value();
    const bool spent =
        entry.value("used_ms", int64_t{0}) != 0 || entry.value("expires_ms", int64_t{0}) <= NowMs();
    it = spent ? tokens_.erase(it) : std::next(it);
  }
  tokens_[HashOf(issued.token)] = {{"role", grant.role},
                                   {"labels", grant.labels},
                                   {"cert_days", grant.cert_days},
                                   {"expires_ms", issued.expires_ms},
                                   {"used_ms", 0}};
  EDGESYNC_RETURN_IF_ERROR(Save());
  return issued;
}

Result<JoinGrant> JoinTokenStore::Redeem(const std::string& token, const std::string& requested_role) {
  if (token.size() > kMaxTokenLength || token.rfind(kTokenPrefix, 0) != 0)
    return Status::PermissionDenied("not a join token");
  MutexLock lock(mu_);
  auto it = tokens_.find(HashOf(token));
  if (it == tokens_.end()) return Status::PermissionDenied("unknown join token");
  json& entry = it.value();
  if (entry.value("used_ms", int64_t{0}) != 0)
    return Status::PermissionDenied("join token already used at " +
                                    transport::UtcTimeText(entry["used_ms"].get<uint64_t>()));
  const int64_t expires_ms = entry.value("expires_ms", int64_t{0});
  if (expires_ms <= NowMs())
    return Status::PermissionDenied("join token expired at " + transport::UtcTimeText(static_cast<uint64_t>(
                                                                   std::max<int64_t>(expires_ms, 0))));
  JoinGrant grant{entry.value("role", ""), entry.value("labels", std::map<std::string, std::string>{}),
                  entry.value("cert_days", 365)};
  if (grant.role != requested_role)
    return Status::PermissionDenied("join token is for role '" + grant.role + "', the request asks for '" +
                                    requested_role + "'");
  entry["used_ms"] = NowMs();
  if (Status saved = Save(); !saved.ok()) {
    entry["used_ms"] = 0;
    return saved;
  }
  return grant;
}

Status JoinTokenStore::Save() { return ReplaceJsonFile(file_, json{{"tokens", tokens_}}); }

}  // namespace edgesync
