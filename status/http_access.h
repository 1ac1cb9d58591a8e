// Who may read the daemon's status address: the bearer-token and Origin checks of /status and
// /metrics, as plain functions of request fields (docs/status-protocol.md, "Access").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgesync {

// The path of a request target, without its query ("/status?token=x" -> "/status").
std::string_view TargetPath(std::string_view target);
// The percent-decoded value of query parameter `name`, if present.
std::optional<std::string> QueryParameter(std::string_view target, std::string_view name);

// True when `token` is empty (no token configured), or `authorization` is "Bearer <token>", or
// `query_token` equals it. Comparisons take the same time wherever the first difference is.
bool TokenAccepted(std::string_view token, std::string_view authorization,
                   const std::optional<std::string>& query_token);

// The origins a browser page served by this address itself presents: http://127.0.0.1:<port>,
// http://localhost:<port> and http://<host>:<port> (IPv6 hosts in brackets).
std::vector<std::string> DefaultAllowedOrigins(const std::string& host, uint16_t port);

// A WebSocket upgrade without an Origin header comes from a non-browser client and passes; one
// with an Origin must match an allowed origin exactly (case-insensitively, no trailing slash).
bool OriginAllowed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace edgesync
