// ReadAcl: which nodes may read which keys, from the `"allow": "read"` rules of meta/acl.
//
// A read rule names key globs and who may read them: "roles" (a list, "*" for every role),
// "labels" (an object: the reader's certificate must certify each label with that value), or
// both, when a reader needs both:
//   {"roles": ["*"], "keys": ["model/*", "meta/*"], "allow": "read"}
//   {"labels": {"site": "a"}, "keys": ["dataset/site-a/*"], "allow": "read"}
// No read rule (no document, or a document with write rules only): every authenticated node
// reads everything, as before read rules existed. Once one exists reading is an allow list: a
// key no rule grants to the reader is not served to it. meta/acl itself is always readable,
// since every node needs the rules to enforce them. A document that cannot be used (no rule
// list, or a malformed read rule) fails closed: only meta/acl is served, so that its repair
// reaches every node. The reader is known by its certificate (CertifiedReader), never by what
// it claims in its Hello.
// Thread-safety: immutable value after construction.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace edgesync::replication {

// A peer as its verified certificate names it.
struct CertifiedReader {
  std::string node_id;
  std::string role;
  std::map<std::string, std::string> labels;  // certified by the cluster CA
};

struct ReadRule {
  std::vector<std::string> roles;             // empty: any role
  std::map<std::string, std::string> labels;  // each must be certified with this value
  std::vector<std::string> keys;              // key globs
  size_t number = 0;                          // its place among the document's rules, from 1

  bool operator==(const ReadRule&) const = default;
};

class ReadAcl {
 public:
  // No read rule: every node reads every key.
  static ReadAcl Open() { return ReadAcl(Mode::kOpen, {}, {}); }
  // An unusable document: only meta/acl is readable.
  static ReadAcl Closed(std::string reason) { return ReadAcl(Mode::kClosed, {}, std::move(reason)); }
  // The read rules of the live view of meta/acl ({"rules": [...]}); Open when it has none. An
  // error names the offending rule and field.
  static Result<ReadAcl> FromDocument(const nlohmann::json& view);

  // Ok, or PermissionDenied naming the reader, the key and why no rule grants it.
  Status Check(const CertifiedReader& reader, const std::string& key) const;

  // False while every node reads everything (no read rule).
  bool enforced() const { return mode_ != Mode::kOpen; }
  // One line for logs: "open (...)", "2 read rule(s) from meta/acl", "closed: <reason>".
  std::string Describe() const;

  bool operator==(const ReadAcl&) const = default;

 private:
  enum class Mode { kOpen, kRules, kClosed };
  ReadAcl(Mode mode, std::vector<ReadRule> rules, std::string reason)
      : mode_(mode), rules_(std::move(rules)), reason_(std::move(reason)) {}

  Mode mode_;
  std::vector<ReadRule> rules_;
  std::string reason_;  // kClosed: why the document was not usable
};

}  // namespace edgesync::replication
