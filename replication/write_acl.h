// WriteAcl: which certificate roles may author versions under which keys.
//
// The rules live in the replicated metadata document `meta/acl` (field "rules"), so every node
// enforces the same list: [{"roles": ["cloud"], "keys": ["model/*"], "allow": "write"}, ...].
// With a document, a write is allowed only when some rule lists the author's role (or "*") and
// a glob matching the key (fnmatch, `*` crosses '/'). Without one, every write is allowed.
// `meta/acl` itself is always writable only by the `admin` role, with or without a document,
// so no other node can install or change the rules. A document that does not parse fails
// closed: only the admin role may write anything (to repair it). Rules with "allow": "read" are
// the read ACL's (read_acl.h) and skipped here; a document holding only read rules therefore
// allows no write but meta/acl's and the node-owned ones.
// Node-owned documents, `meta/<namespace>/<node id>` for the namespaces in
// kNodeOwnedNamespaces (a node's deployment states, its fleet record), are written only by the
// node they name,
// whatever the rules say: each node reports about itself and no one else can speak for it.
// Thread-safety: immutable value after construction.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync::replication {

// The document holding the write rules, and the read rules too (read_acl.h).
inline constexpr const char* kWriteAclKey = "meta/acl";
inline constexpr const char* kAdminRole = "admin";

// Namespaces of meta/ whose documents are named by, and written only by, one node.
inline constexpr const char* kNodeOwnedNamespaces[] = {"deployments", "nodes"};

// The node id a node-owned document belongs to ("" for any other key).
std::string NodeOwnerOf(const std::string& key);

struct WriteRule {
  std::vector<std::string> roles;  // "*" matches every role
  std::vector<std::string> keys;   // key globs
  size_t number = 0;               // its place among the document's rules, from 1
};

class WriteAcl {
 public:
  // No document: everything allowed (except meta/acl, admin only).
  static WriteAcl AllowAll() { return WriteAcl(Mode::kOpen, {}, {}); }
  // A document that cannot be used: only the admin role may write.
  static WriteAcl AdminOnly(std::string reason) { return WriteAcl(Mode::kAdminOnly, {}, std::move(reason)); }
  // Parses the live view of the meta/acl document ({"rules": [...]}); an error names the
  // offending rule and field.
  static Result<WriteAcl> FromDocument(const nlohmann::json& view);

  // Ok, or PermissionDenied naming the role, the key and the rule (or its absence).
  Status Check(const std::string& role, const std::string& key) const;
  // Check for a writer known by certificate role and node id ("" when not verified): a
  // node-owned document only by its node, anything else by the rules.
  Status CheckWriter(const std::string& role, const std::string& node_id, const std::string& key) const;

  // False when there is no document (everything allowed).
  bool enforced() const { return mode_ != Mode::kOpen; }
  // True when the document was unusable and only the admin role may write.
  bool admin_only() const { return mode_ == Mode::kAdminOnly; }
  const std::vector<WriteRule>& rules() const { return rules_; }
  // One line for logs: "open (no meta/acl)", "3 rules", "admin only: <reason>".
  std::string Describe() const;

 private:
  enum class Mode { kOpen, kRules, kAdminOnly };
  WriteAcl(Mode mode, std::vector<WriteRule> rules, std::string reason)
      : mode_(mode), rules_(std::move(rules)), reason_(std::move(reason)) {}

  Mode mode_;
  std::vector<WriteRule> rules_;
  std::string reason_;  // kAdminOnly: why the document was not usable
};

}  // namespace edgesync::replication
