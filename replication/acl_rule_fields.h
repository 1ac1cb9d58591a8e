// The parts of a meta/acl rule that write rules (write_acl.h) and read rules (read_acl.h) share:
// bounds, string lists, key globs and role lists, and how they are written in messages.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync::replication {

inline constexpr size_t kMaxAclRules = 1024;
inline constexpr size_t kMaxAclRuleEntries = 256;  // roles, globs or labels per rule

// The document's "rules": a list of at most kMaxAclRules entries (`view` must outlive it).
Result<const nlohmann::json*> AclRuleList(const nlohmann::json& view);
// The rule's `field`: a non-empty list of at most kMaxAclRuleEntries non-empty strings of at
// most 512 bytes. `where` names the rule in the error.
Result<std::vector<std::string>> AclStringList(const nlohmann::json& rule, const char* field,
                                               const std::string& where);
// Whether some glob matches the key (fnmatch, so `*` also crosses '/').
bool AnyGlobMatches(const std::vector<std::string>& globs, const std::string& key);
// Whether `roles` lists the role or "*".
bool ListsRole(const std::vector<std::string>& roles, const std::string& role);
// "a,b,c".
std::string JoinAclList(const std::vector<std::string>& items);

}  // namespace edgesync::replication
