#include "syncd/credentials/node_credentials.h"

#include <spdlog/spdlog.h>

#include <string>

#include "transport/clock_skew.h"
#include "transport/credential_dates.h"
#include "transport/identity.h"

namespace edgesync {
namespace {

using nlohmann::json;

constexpr int64_t kDayMs = 24 * 3600 * 1000;

// One file's date, and a warning when it is near or past. `what` names it in the warning.
json DateEntry(const std::filesystem::path& file, const Result<int64_t>& until_ms, const std::string& what,
               const std::string& advice, json& warnings) {
  if (!until_ms.ok()) {
    warnings.push_back(what + " " + file.string() + ": " + until_ms.status().message());
    return {{"file", file.string()}, {"error", until_ms.status().message()}};
  }
  const int64_t left_ms = *until_ms - static_cast<int64_t>(transport::WallClockMs());
  const std::string until = transport::UtcTimeText(static_cast<uint64_t>(std::max<int64_t>(*until_ms, 0)));
  if (left_ms <= 0) {
    warnings.push_back(what + " " + file.string() + " EXPIRED at " + until + ": " + advice);
  } else if (left_ms <= std::chrono::duration_cast<std::chrono::milliseconds>(kExpiryWarning).count()) {
    warnings.push_back(what + " " + file.string() + " expires in " + std::to_string(left_ms / kDayMs) +
                       " day(s), at " + until + ": " + advice);
  }
  return {{"file", file.string()}, {"until_ms", *until_ms}, {"until", until}};
}

Result<int64_t> FileDate(const std::filesystem::path& file, Result<int64_t> (*date)(const std::string&)) {
  auto pem = transport::ReadTextFile(file);
  if (!pem.ok()) return pem.status();
  return date(*pem);
}

}  // namespace

transport::CredentialFiles CredentialFilesOf(const ClusterFiles& files) {
  std::error_code ec;
  const bool crl = files.crl_required || std::filesystem::exists(files.crl, ec);
  return {files.ca_cert, files.cert, files.key, crl ? files.crl : std::filesystem::path()};
}

void NodeCredentials::Check() {
  const transport::CredentialFiles files = CredentialFilesOf(files_);
  json warnings = json::array();
  json certificate =
      DateEntry(files.cert, FileDate(files.cert, transport::CertificateNotAfterMs), "node certificate",
                "renew it (edgesync cluster renew, docs/operations.md)", warnings);
  json crl = nullptr;
  if (!files.crl.empty()) {
    crl = DateEntry(files.crl, FileDate(files.crl, transport::CrlNextUpdateMs), "CRL",
                    "issue a new one (edgesync cluster revoke) and reload; a stale CRL makes every "
                    "peer refuse every link",
                    warnings);
  }
  for (const json& warning : warnings) spdlog::warn("credentials: {}", warning.get<std::string>());
  MutexLock lock(mu_);
  state_ = {
      {"certificate", std::move(certificate)}, {"crl", std::move(crl)}, {"warnings", std::move(warnings)}};
}

Result<json> NodeCredentials::Reload(PeerNetwork& network) {
  Result<transport::TlsMaterial> material = transport::LoadTlsMaterial(CredentialFilesOf(files_));
  Result<std::vector<std::string>> closed = material.ok()
                                                ? network.ReloadCredentials(*material)
                                                : Result<std::vector<std::string>>(material.status());
  if (!closed.ok()) {
    spdlog::error("credentials: reload failed, keeping the running ones: {}", closed.status().message());
    return closed.status();
  }
  if (on_reloaded_) on_reloaded_(*material);
  Check();
  spdlog::info("credentials: reloaded {} ({} link(s) closed)", files_.cert.string(), closed->size());
  return json{{"closed", *closed}, {"credentials", Json()}};
}

json NodeCredentials::Json() const {
  MutexLock lock(mu_);
  return state_;
}

}  // namespace edgesync
