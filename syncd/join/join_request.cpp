#include "syncd/join/join_request.h"

#include <nlohmann/json.hpp>

#include "base/json_depth.h"

namespace edgesync {
namespace {

using nlohmann::json;

JoinAnswer Refuse(std::string reason, std::string node_id = {}) {
  return {json{{"ok", false}, {"error", reason}}.dump(), std::move(reason), std::move(node_id)};
}

}  // namespace

JoinAnswer OversizedJoinRequest() {
  return Refuse("join request larger than " + std::to_string(kMaxJoinRequestBytes) + " bytes");
}

JoinAnswer AnswerJoinRequest(std::string_view request, JoinTokenStore& tokens,
                             const transport::ClusterCa& ca) {
  if (request.size() > kMaxJoinRequestBytes) return OversizedJoinRequest();
  json parsed =
      JsonDepthWithin(request, 4) ? json::parse(request, nullptr, false) : json(json::value_t::discarded);
  if (!parsed.is_object() || !parsed.contains("token") || !parsed["token"].is_string() ||
      !parsed.contains("csr") || !parsed["csr"].is_string())
    return Refuse("malformed join request: expected {\"token\": string, \"csr\": string}");
  auto requested = transport::ReadRequestedIdentity(parsed["csr"].get<std::string>());
  if (!requested.ok()) return Refuse("bad certificate request: " + requested.status().message());
  Result<JoinGrant> grant = tokens.Redeem(parsed["token"].get<std::string>(), requested->role);
  if (!grant.ok()) return Refuse(grant.status().message(), requested->node_id);
  auto cert =
      transport::SignNodeRequest(ca, parsed["csr"].get<std::string>(),
                                 {std::chrono::seconds(-300), std::chrono::hours(24) * grant->cert_days},
                                 grant->labels);
  if (!cert.ok()) return Refuse("signing failed: " + cert.status().message(), requested->node_id);
  return {json{{"ok", true},
               {"cert", *cert},
               {"ca", ca.cert_pem},
               {"role", grant->role},
               {"labels", grant->labels}}
              .dump(),
          std::nullopt, requested->node_id};
}

}  // namespace edgesync
