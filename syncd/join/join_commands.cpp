#include "syncd/join/join_commands.h"

#include <spdlog/spdlog.h>

#include "control/command_params.h"
#include "transport/clock_skew.h"
#include "transport/identity.h"

namespace edgesync {
namespace {

using nlohmann::json;

constexpr size_t kMaxLabels = 32;
constexpr size_t kMaxLabelText = 128;

Result<json> IssueToken(JoinTokenStore& tokens, const JoinEndpoint& endpoint, const json& params) {
  Result<std::string> role = RequireString(params, "role");
  if (!role.ok()) return role.status();
  JoinGrant grant{*role, {}, 365};
  if (params.contains("labels")) {
    if (!params["labels"].is_object()) return Status::InvalidArgument("labels must be an object of strings");
    if (params["labels"].size() > kMaxLabels) return Status::InvalidArgument("at most 32 labels");
    for (const auto& item : params["labels"].items()) {
      if (!item.value().is_string() || item.key().size() > kMaxLabelText ||
          item.value().get<std::string>().size() > kMaxLabelText)
        return Status::InvalidArgument("label " + item.key() + " must be a string of at most 128 bytes");
      // Certified in the new node's certificate: read rules may match them.
      EDGESYNC_RETURN_IF_ERROR(transport::CheckCertifiedLabel(item.key(), item.value().get<std::string>()));
      grant.labels[item.key()] = item.value().get<std::string>();
    }
  }
  if (params.contains("cert_days")) {
    if (!params["cert_days"].is_number_unsigned() || params["cert_days"].get<uint64_t>() > 3650)
      return Status::InvalidArgument("cert_days must be an integer from 1 to 3650");
    grant.cert_days = static_cast<int>(params["cert_days"].get<uint64_t>());
  }
  if (!params.contains("ttl_ms") || !params["ttl_ms"].is_number_unsigned())
    return Status::InvalidArgument("ttl_ms must be a positive integer");
  Result<IssuedToken> issued =
      tokens.Issue(grant, std::chrono::milliseconds(params["ttl_ms"].get<uint64_t>()));
  if (!issued.ok()) return issued.status();
  // The token itself is never logged: only that one exists.
  spdlog::info("join: issued a one-time token for role {}, valid until {}", grant.role,
               transport::UtcTimeText(static_cast<uint64_t>(issued->expires_ms)));
  return json{{"token", issued->token},
              {"role", grant.role},
              {"labels", grant.labels},
              {"cert_days", grant.cert_days},
              {"expires_ms", issued->expires_ms},
              {"expires", transport::UtcTimeText(static_cast<uint64_t>(issued->expires_ms))},
              {"server", endpoint.address},
              {"ca_fingerprint", endpoint.ca_fingerprint}};
}

}  // namespace

void RegisterJoinCommands(CommandDispatcher& dispatcher, JoinTokenStore* tokens, JoinEndpoint endpoint) {
  dispatcher.Register("cluster.token", CommandLane::kQuick,
                      [tokens, endpoint](const json& params, CommandContext&) -> Result<json> {
                        if (!tokens)
                          return Status::FailedPrecondition(
                              "this node does not serve token joins: set cluster.join_listen and "
                              "cluster.join_ca (docs/security.md, \"Joining with a token\")");
                        return IssueToken(*tokens, endpoint, params);
                      });
}

}  // namespace edgesync
