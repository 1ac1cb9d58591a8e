#include "cli/cluster_commands.h"

#include <sys/stat.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "base/exit_codes.h"
#include "cli/join_client.h"
#include "transport/identity.h"

namespace edgesync {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCsrFile = "node.csr";
constexpr const char* kRevokedDir = "revoked";

struct ClusterArgs {
  std::string dir, cluster_id, node_id, role, out, csr, cert, crl;
  std::string token, token_file, server, ca_fingerprint;  // join with a token
  std::vector<std::string> labels;  // sign: key=value, certified in the certificate
  int ca_days = 3650, cert_days = 365, crl_days = 30;  // one field each: defaults differ
};

int Fail(const std::string& message) {
  std::cerr << "edgesync: cluster: " << message << "\n";
  return kExitRuntimeError;
}

transport::CertificateValidity ValidFor(int days) {
  return {std::chrono::seconds(-300), std::chrono::hours(24) * days};
}

int Init(const ClusterArgs& a) {
  std::error_code ec;
  if (fs::exists(fs::path(a.dir) / transport::kCaKeyFile, ec)) {
    return Fail(a.dir + " already holds a cluster CA; refusing to overwrite it");
  }
  auto ca = transport::CreateClusterCa(a.cluster_id, ValidFor(a.ca_days));
  if (!ca.ok()) return Fail(ca.status().message());
  Status written = transport::WriteClusterCa(ca.value(), a.dir);
  if (!written.ok()) return Fail(written.message());
  ::chmod(a.dir.c_str(), 0700);
  std::cout << "created cluster CA '" << a.cluster_id << "' in " << a.dir << " ("
            << transport::kCaKeyFile << " mode 0600, " << transport::kCaCertFile
            << "); keep this directory offline and copy only " << transport::kCaCertFile
            << " to the nodes\n";
  return kExitOk;
}

// A new key (EC P-256) and a request for node_id/role: the key into out/key_name (0600), the
// request into out/node.csr. Returns the exit code; prints nothing on success.
int WriteKeyRequest(const fs::path& out, const std::string& node_id, const std::string& role,
                    const std::string& key_name) {
  auto request = transport::CreateNodeKeyRequest(node_id, role);
  if (!request.ok()) return Fail(request.status().message());
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) return Fail("cannot create " + out.string() + ": " + ec.message());
  Status key = transport::WriteTextFile(out / key_name, request->key_pem, true);
  if (!key.ok()) return Fail(key.message());
  Status csr = transport::WriteTextFile(out / kCsrFile, request->csr_pem, false);
  if (!csr.ok()) return Fail(csr.message());
  return kExitOk;
}

fs::path ClusterDir(const ClusterArgs& a, const fs::path& data_dir) {
  return a.out.empty() ? data_dir / "cluster" : fs::path(a.out);
}

// The token from --token, or from --token-file (`-`: standard input), without surrounding blanks.
Result<std::string> ReadToken(const ClusterArgs& a) {
  std::string text = a.token;
  if (!a.token_file.empty()) {
    std::ostringstream read;
    if (a.token_file == "-") {
      read << std::cin.rdbuf();
    } else {
      std::ifstream in(a.token_file);
      if (!in) return Status::InvalidArgument("cannot read " + a.token_file);
      read << in.rdbuf();
    }
    text = read.str();
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Status::InvalidArgument("the join token is empty");
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The role a token is bound to: "esj1.<role>.<secret>".
std::string TokenRole(const std::string& token) {
  const auto last = token.rfind('.');
  if (token.rfind("esj1.", 0) != 0 || last == std::string::npos || last <= 5) return {};
  return token.substr(5, last - 5);
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

// Sends the request to the join endpoint and installs what comes back; on any failure the new
// key and request are removed again, so the command can simply be run once more.
int JoinWithToken(const ClusterArgs& a, const fs::path& out, const std::string& token,
                  const std::string& node_id, const std::string& role) {
  auto csr = transport::ReadTextFile(out / kCsrFile);
  Result<JoinResult> joined =
      csr.ok() ? RequestJoin(a.server, a.ca_fingerprint, token, *csr) : Result<JoinResult>(csr.status());
  Status installed = joined.ok()
                         ? transport::WriteTextFile(out / transport::kNodeCertFile, joined->cert_pem, false)
                         : joined.status();
  if (installed.ok())
    installed = transport::WriteTextFile(out / transport::kCaCertFile, joined->ca_pem, false);
  if (!installed.ok()) {
    std::error_code ec;
    fs::remove(out / transport::kNodeKeyFile, ec);
    fs::remove(out / kCsrFile, ec);
    return Fail("join refused: " + installed.message());
  }
  std::cout << "joined as node " << node_id << " (role " << role << "): certificate "
            << (out / transport::kNodeCertFile).string() << ", CA " << (out / transport::kCaCertFile).string()
            << "\n";
  if (!joined->labels.empty()) {
    std::cout << "labels from the token, certified in the certificate (set them as node.labels too):";
    for (const auto& [key, value] : joined->labels) std::cout << " " << key << "=" << value;
    std::cout << "\n";
  }
  return kExitOk;
}

int Join(const ClusterArgs& a, const fs::path& data_dir) {
  fs::path out = ClusterDir(a, data_dir);
  const bool with_token = !a.token.empty() || !a.token_file.empty();
  std::string token, node_id = a.node_id, role = a.role;
  if (with_token) {
    if (a.server.empty() || a.ca_fingerprint.empty())
      return Fail("joining with a token needs --server and --ca-fingerprint");
    Result<std::string> read = ReadToken(a);
    if (!read.ok()) return Fail(read.status().message());
    token = *read;
    if (role.empty()) role = TokenRole(token);
    if (node_id.empty()) node_id = HostName();
  }
  if (node_id.empty() || role.empty()) return Fail("--node-id and --role are required without a token");
  std::error_code ec;
  if (fs::exists(out / transport::kNodeKeyFile, ec)) {
    return Fail((out / transport::kNodeKeyFile).string() +
                " exists; refusing to replace this node's key");
  }
  if (int code = WriteKeyRequest(out, node_id, role, transport::kNodeKeyFile); code != kExitOk) return code;
  if (with_token) return JoinWithToken(a, out, token, node_id, role);
  std::cout << "node " << node_id << " (role " << role << "): key "
            << (out / transport::kNodeKeyFile).string()
            << " (0600), request " << (out / kCsrFile).string() << "\n"
            << "next: edgesync cluster sign <ca-dir> " << (out / kCsrFile).string()
            << " --out " << (out / transport::kNodeCertFile).string() << ", and copy the CA's "
            << transport::kCaCertFile << " to " << (out / transport::kCaCertFile).string() << "\n";
  return kExitOk;
}

// A request for the same node id and role as the current certificate, with a new key beside the
// one in use (node.key.next): the running daemon keeps its key until the new certificate is in.
int Renew(const ClusterArgs& a, const fs::path& data_dir) {
  fs::path out = ClusterDir(a, data_dir);
  auto cert = transport::ReadTextFile(out / transport::kNodeCertFile);
  if (!cert.ok()) return Fail(cert.status().message() + " (renew needs the current certificate)");
  auto identity = transport::ReadCertifiedIdentity(cert.value());
  if (!identity.ok()) {
    return Fail((out / transport::kNodeCertFile).string() + ": " + identity.status().message());
  }
  const std::string next_key = std::string(transport::kNodeKeyFile) + ".next";
  int code = WriteKeyRequest(out, identity->node_id, identity->role, next_key);
  if (code != kExitOk) return code;
  const fs::path next_cert = out / (std::string(transport::kNodeCertFile) + ".next");
  std::cout << "renewing node " << identity->node_id << " (role " << identity->role << "): new key "
            << (out / next_key).string() << " (0600), request " << (out / kCsrFile).string() << "\n"
            << "next: edgesync cluster sign <ca-dir> " << (out / kCsrFile).string() << " --out "
            << next_cert.string() << "; then on this node: mv " << (out / next_key).string() << " "
            << (out / transport::kNodeKeyFile).string() << " && mv " << next_cert.string() << " "
            << (out / transport::kNodeCertFile).string() << " && edgesync cluster reload\n";
  return kExitOk;
}

int Sign(const ClusterArgs& a) {
  std::map<std::string, std::string> labels;
  for (const std::string& label : a.labels) {
    const auto eq = label.find('=');
    if (eq == std::string::npos) return Fail("--label '" + label + "' must be key=value");
    if (!labels.emplace(label.substr(0, eq), label.substr(eq + 1)).second)
      return Fail("--label " + label.substr(0, eq) + " given twice");
  }
  auto ca = transport::LoadClusterCa(a.dir);
  if (!ca.ok()) return Fail("cannot load the CA in " + a.dir + ": " + ca.status().message());
  auto csr = transport::ReadTextFile(a.csr);
  if (!csr.ok()) return Fail(csr.status().message());
  auto cert = transport::SignNodeRequest(ca.value(), csr.value(), ValidFor(a.cert_days), labels);
  if (!cert.ok()) return Fail("cannot sign " + a.csr + ": " + cert.status().message());
  Status written = transport::WriteTextFile(a.out, cert.value(), false);
  if (!written.ok()) return Fail(written.message());
  auto identity = transport::ReadCertifiedIdentity(cert.value());
  if (!identity.ok()) return Fail(identity.status().message());
  std::cout << "issued " << a.out << ": node " << identity->node_id << ", role "
            << identity->role << ", cluster " << identity->cluster_id << ", valid " << a.cert_days
            << " days";
  for (const auto& [key, value] : identity->labels) std::cout << ", label " << key << "=" << value;
  std::cout << "\n";
  return kExitOk;
}

// Every certificate revoked so far, kept as files in <ca-dir>/revoked/ so each CRL lists all.
std::vector<std::string> RevokedSoFar(const fs::path& dir) {
  std::vector<std::string> pems;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto pem = transport::ReadTextFile(entry.path());
    if (pem.ok()) pems.push_back(pem.value());
  }
  return pems;
}

int Revoke(const ClusterArgs& a) {
  auto ca = transport::LoadClusterCa(a.dir);
  if (!ca.ok()) return Fail("cannot load the CA in " + a.dir + ": " + ca.status().message());
  auto cert = transport::ReadTextFile(a.cert);
  if (!cert.ok()) return Fail(cert.status().message());
  auto identity = transport::ReadCertifiedIdentity(cert.value());
  if (!identity.ok()) return Fail(a.cert + ": " + identity.status().message());
  if (identity->cluster_id != ca->cluster_id) {
    return Fail(a.cert + " belongs to cluster '" + identity->cluster_id + "', not '" +
                ca->cluster_id + "'");
  }
  fs::path revoked = fs::path(a.dir) / kRevokedDir;
  std::vector<std::string> pems = RevokedSoFar(revoked);
  if (std::find(pems.begin(), pems.end(), cert.value()) == pems.end()) {
    std::error_code ec;
    fs::create_directories(revoked, ec);
    fs::path file = revoked / (identity->node_id + "-" + std::to_string(pems.size()) + ".crt");
    Status kept = transport::WriteTextFile(file, cert.value(), false);
    if (!kept.ok()) return Fail(kept.message());
    pems.push_back(cert.value());
  }
  auto crl = transport::CreateCrl(ca.value(), pems, std::chrono::hours(24) * a.crl_days);
  if (!crl.ok()) return Fail(crl.status().message());
  Status written = transport::WriteTextFile(a.crl, crl.value(), false);
  if (!written.ok()) return Fail(written.message());
  std::cout << "revoked node " << identity->node_id << "; " << a.crl << " lists " << pems.size()
            << " certificate(s), valid " << a.crl_days
            << " days; install it as cluster.crl on every node and restart them\n";
  return kExitOk;
}

}  // namespace

void AddClusterCommands(CLI::App& app, LocalCommand* chosen) {
  auto args = std::make_shared<ClusterArgs>();
  auto* cluster = app.add_subcommand(
      "cluster",
      "cluster certificates (init, join, renew, sign, revoke run locally; reload and token ask the daemon)");
  cluster->require_subcommand(1);

  auto* init = cluster->add_subcommand("init", "create the cluster CA in <dir> (keep it offline)");
  init->add_option("dir", args->dir, "CA directory (created; ca.key 0600, ca.crt)")->required();
  init->add_option("--cluster-id", args->cluster_id, "cluster id, [A-Za-z0-9._-]{1,64}")->required();
  init->add_option("--days", args->ca_days, "validity in days (default 3650)");
  init->callback([args, chosen] { *chosen = [args](const fs::path&) { return Init(*args); }; });

  auto* join = cluster->add_subcommand(
      "join", "create this node's key and certificate request; with a token, get the certificate too");
  join->add_option("--node-id", args->node_id,
                   "node id, [A-Za-z0-9._-]{1,64} (with a token: default the host name)");
  join->add_option("--role", args->role,
                   "edge, cloud, or admin (may change the write ACL, docs/security.md); with a "
                   "token: default the token's role")
      ->check(CLI::IsMember({"edge", "cloud", "admin"}));
  auto* token = join->add_option("--token", args->token,
                                 "one-time token from `cluster token` (prefer --token-file: a "
                                 "command line is visible to other users)");
  join->add_option("--token-file", args->token_file, "read the token from this file (- : standard input)")
      ->excludes(token);
  join->add_option("--server", args->server, "the join endpoint, host:port (with a token)");
  join->add_option("--ca-fingerprint", args->ca_fingerprint,
                   "sha256:... of the cluster CA certificate, as `cluster token` printed it");
  join->add_option("--out", args->out, "directory for node.key and node.csr "
                                       "(default <data-dir>/cluster)");
  join->callback([args, chosen] {
    *chosen = [args](const fs::path& data_dir) { return Join(*args, data_dir); };
  });

  auto* renew = cluster->add_subcommand(
      "renew", "make a new key and request for this node's id and role (node.key.next, node.csr)");
  renew->add_option("--out", args->out, "the node's cluster directory (default <data-dir>/cluster)");
  renew->callback([args, chosen] {
    *chosen = [args](const fs::path& data_dir) { return Renew(*args, data_dir); };
  });

  auto* sign = cluster->add_subcommand("sign", "issue a node certificate from a request");
  sign->add_option("ca-dir", args->dir, "CA directory from `cluster init`")->required();
  sign->add_option("csr", args->csr, "request from `cluster join` (node.csr)")->required();
  sign->add_option("--days", args->cert_days, "validity in days (default 365)");
  sign->add_option("--out", args->out, "certificate file to write (node.crt)")->required();
  sign->add_option("--label", args->labels,
                   "key=value certified in the certificate, repeatable (read rules trust these, "
                   "not the labels a node claims; docs/security.md)")
      ->allow_extra_args(false);
  sign->callback([args, chosen] { *chosen = [args](const fs::path&) { return Sign(*args); }; });

  auto* revoke = cluster->add_subcommand("revoke", "revoke a node certificate; write the CRL");
  revoke->add_option("ca-dir", args->dir, "CA directory from `cluster init`")->required();
  revoke->add_option("cert", args->cert, "the node certificate to revoke")->required();
  revoke->add_option("--crl", args->crl, "CRL file to write (lists every revoked cert)")
      ->required();
  revoke->add_option("--days", args->crl_days, "days until the CRL's next update (default 30)");
  revoke->callback([args, chosen] { *chosen = [args](const fs::path&) { return Revoke(*args); }; });
}

}  // namespace edgesync
