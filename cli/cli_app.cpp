#include "cli/cli_app.h"

#include <iostream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/cli_output.h"
#include "cli/cluster_commands.h"
#include "cli/conflict_output.h"
#include "cli/deploy_output.h"
#include "cli/fleet_output.h"
#include "cli/limits_output.h"
#include "control/control_client.h"
#include "cli/meta_fields.h"
#include "cli/progress_bar.h"
#include "cli/replication_output.h"
#include "syncd/daemon_config.h"
#include "base/build_info.h"
#include "base/exit_codes.h"
#include "syncd/socket_path.h"

namespace edgesync {
namespace {

using nlohmann::json;

constexpr const char* kHelpFooter = R"(
Exit codes: 0 ok, 1 the daemon reported an error (or a cluster command failed), 2 usage
error, 3 daemon unreachable. `edgesync cluster ...` runs locally without a daemon.

The control socket is found like edgesyncd chooses it: --socket, $EDGESYNC_SOCKET, the
config file given with --config, --data-dir DIR (default ./data): DIR/control.sock (or
$XDG_RUNTIME_DIR/edgesync/control.sock, /tmp/edgesync-<uid>/control.sock when that path is
too long); finally the system service's /run/edgesync/control.sock.
Paths are passed to the daemon as absolute paths: the daemon itself reads and writes them,
so its user needs access. See docs/cli.md.)";

// One subcommand's request and how to show its answer.
struct CliRequest {
  std::string method;
  json params = json::object();
  std::function<void(const json&, std::ostream&)> print;
  std::string progress_label;  // non-empty: draw a progress bar
  // A result the CLI reports as a failure (exit 1) although the daemon answered normally.
  std::function<bool(const json&)> failed;
  // A second request built from this one's result (put --wait), run on the same connection.
  std::function<void(const json& result, CliRequest* next)> then;
  json result;  // the daemon's final answer, once Execute succeeded
  bool paged = false;  // `ls`: repeat with "after" = the answer's "next" until it has none
};

std::string AbsolutePath(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

struct SocketChoice {
  std::filesystem::path path;
  std::string origin;
};

std::optional<SocketChoice> ResolveSocket(const std::string& socket_flag,
                                          const std::string& config_flag,
                                          const std::string& data_dir_flag, std::string* error) {
  ProcessEnvironment env = ProcessEnvironment::FromProcess();
  if (!socket_flag.empty()) return SocketChoice{AbsolutePath(socket_flag), "--socket"};
  if (const char* from_env = std::getenv("EDGESYNC_SOCKET"); from_env && *from_env) {
    return SocketChoice{from_env, "$EDGESYNC_SOCKET"};
  }
  if (!config_flag.empty()) {
    ProcessEnvironment no_service = env;
    no_service.runtime_directory.clear();
    Result<DaemonConfig> config = LoadDaemonConfig(config_flag, {}, no_service);
    if (!config.ok()) {
      *error = "configuration error: " + config.status().message();
      return std::nullopt;
    }
    return SocketChoice{config->control_socket, config_flag};
  }
  std::filesystem::path data_dir =
      data_dir_flag.empty() ? DefaultDataDir(env) : std::filesystem::path(AbsolutePath(data_dir_flag));
  std::filesystem::path path = DefaultControlSocket(data_dir, env);
  std::error_code ec;
  const std::filesystem::path service_socket = "/run/edgesync/control.sock";
  if (data_dir_flag.empty() && !std::filesystem::exists(path, ec) &&
      std::filesystem::exists(service_socket, ec)) {
    return SocketChoice{service_socket, "the system service"};
  }
  return SocketChoice{path, "data directory " + data_dir.string()};
}

int ReportUnreachable(const SocketChoice& socket, const Status& status) {
  std::cerr << "edgesync: daemon unreachable: " << status.message() << "\n";
  if (status.code() != Status::Code::kFailedPrecondition) {
    std::cerr << "hint: start it with `make run` or `edgesyncd --data-dir DIR` (or `systemctl "
                 "start edgesyncd`); socket chosen from "
              << socket.origin << "; use --socket/--data-dir/--config to point elsewhere\n";
  }
  return kExitDaemonUnreachable;
}

// Values of positional arguments and options; one set, since exactly one subcommand runs.
struct SubcommandArgs {
  std::string key, path, spec, format, version, part, prefix, dest, file, url;
  std::vector<std::string> words;  // meta set/unset: field=value or field names
  bool strict = false, watch = false, merge = false, allow_insecure_http = false;
  bool all = false;  // ls --all
  std::string wait;                 // put --wait: N or label=value
  double wait_timeout_s = 60;       // put --wait-timeout, resync --timeout
  std::string peer;                 // resync --peer
  uint64_t page_size = 0;           // ls --page-size; 0: the daemon's default
  bool json_after_select = false;  // `select` passes its words through, --json included
  // deploy add
  std::string name, on_switch, health, channel;
  std::vector<std::string> where;  // release --where label=value
  std::string at;                  // release --at TIME
  std::string role, ttl;           // cluster token
  int cert_days = 365;             // cluster token --days
  double health_timeout_s = 30;
  bool hook_shell = false;
};

// A hook as an argv: its words split on blanks (no quoting, no shell), or with --shell the whole
// text given to /bin/sh -c.
json HookArgv(const std::string& command, bool shell) {
  if (command.empty()) return json::array();
  if (shell) return json::array({"/bin/sh", "-c", command});
  json argv = json::array();
  std::istringstream words(command);
  for (std::string word; words >> word;) argv.push_back(word);
  return argv;
}

// --where label=value options as an object of label -> value.
json WhereLabels(const std::vector<std::string>& pairs) {
  json where = json::object();
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) throw CLI::ValidationError("--where", "'" + pair + "' is not label=value");
    where[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return where;
}

void AddDeploySubcommands(CLI::App& app, SubcommandArgs& args, CliRequest& req) {
  auto* deploy = app.add_subcommand("deploy", "deployments the daemon keeps in service (docs/deploy.md)");
  deploy->require_subcommand(1);
  auto* add = deploy->add_subcommand("add", "keep <dir> pointing at a version of <key>, checked after each switch");
  add->add_option("name", args.name, "deployment name")->required();
  add->add_option("--key", args.key, "model key")->required();
  add->add_option("--dir", args.dest, "the symlink the service reads")->required();
  add->add_option("--part", args.part, "a joint model's part (only its files, without the prefix)");
  add->add_option("--version", args.version, "pin this version (default: follow the latest)");
  add->add_option("--channel", args.channel, "follow what `edgesync release` names for this node");
  add->add_option("--on-switch", args.on_switch, "command run after every switch (words, no shell)");
  add->add_option("--health", args.health, "command that exits 0 when the service is healthy");
  add->add_option("--health-timeout", args.health_timeout_s, "seconds the health command has to pass (default 30)")
      ->check(CLI::PositiveNumber);
  add->add_flag("--shell", args.hook_shell, "run --on-switch and --health with /bin/sh -c");
  add->callback([&req, &args] {
    req.method = "deploy.add";
    req.params = {{"name", args.name},
                  {"key", args.key},
                  {"dir", AbsolutePath(args.dest)},
                  {"part", args.part},
                  {"version", args.version},
                  {"channel", args.channel},
                  {"on_switch", HookArgv(args.on_switch, args.hook_shell)},
                  {"health", HookArgv(args.health, args.hook_shell)},
                  {"health_timeout_ms", static_cast<uint64_t>(args.health_timeout_s * 1000)}};
    req.print = PrintDeployment;
  });
  auto* release = app.add_subcommand("release", "make a channel name a version of a model, on every node or some");
  release->add_option("key", args.key, "model key")->required();
  release->add_option("--channel", args.channel, "channel name, e.g. stable")->required();
  release->add_option("--version", args.version, "a version id this node holds")->required();
  release->add_option("--where", args.where, "label=value a node must have (repeatable; default every node)");
  release->add_option("--at", args.at,
                      "activate at this time (RFC 3339 with a zone, e.g. 2026-12-07T18:00:00Z, or +30m); nodes "
                      "fetch and stage the version now");
  release->callback([&req, &args] {
    req.method = "release";
    req.params = {{"key", args.key}, {"channel", args.channel}, {"version", args.version}, {"where", WhereLabels(args.where)}};
    if (!args.at.empty()) req.params["at"] = args.at;
    req.print = PrintRelease;
  });
  auto* rollout = app.add_subcommand("rollout", "the fleet's deployments of a model, as reported to this node");
  rollout->require_subcommand(1);
  auto* rollout_status = rollout->add_subcommand("status", "per node: the version running, the target, failures (exit 1 if any failed)");
  rollout_status->add_option("key", args.key, "model key")->required();
  rollout_status->callback([&req, &args] {
    req.method = "rollout.status";
    req.params = {{"key", args.key}};
    req.print = PrintRolloutStatus;
    req.failed = RolloutHasFailures;
  });
  auto* ls = deploy->add_subcommand("ls", "list deployments and their state");
  ls->callback([&req] {
    req.method = "deploy.ls";
    req.print = PrintDeployments;
  });
  for (const char* verb : {"show", "rm", "retry"}) {
    auto* sub = deploy->add_subcommand(verb, std::string(verb) == "show"  ? "a deployment's spec and state"
                                             : std::string(verb) == "rm" ? "forget a deployment (its dir stays)"
                                                                         : "try versions that failed here again");
    sub->add_option("name", args.name, "deployment name")->required();
    sub->callback([&req, &args, verb] {
      req.method = std::string("deploy.") + verb;
      req.params = {{"name", args.name}};
      req.print = std::string(verb) == "show" ? PrintDeployment : PrintDeployCommand;
    });
  }
}

void AddConflictSubcommands(CLI::App& app, SubcommandArgs& args, CliRequest& req) {
  auto* conflicts = app.add_subcommand(
      "conflicts", "list keys with concurrent heads: each head's changes and the policy");
  conflicts->callback([&req] {
    req.method = "conflicts";
    req.print = PrintConflicts;
  });

  auto* resolve = app.add_subcommand("resolve", "resolve a conflict of <key> now");
  resolve->add_option("key", args.key, "object key")->required();
  auto* keep = resolve->add_option("--keep", args.version, "the head whose content wins");
  auto* merge = resolve->add_flag("--merge", args.merge,
                                  "resolve by the key's policy (merge for meta documents)");
  keep->excludes(merge);
  resolve->callback([&req, &args] {
    if (args.version.empty() && !args.merge) {
      throw CLI::ValidationError("resolve", "give --keep <version> or --merge");
    }
    req.method = "resolve";
    req.params = {{"key", args.key}};
    if (args.merge) req.params["merge"] = true;
    else req.params["keep"] = args.version;
    req.print = PrintResolved;
  });

  auto* meta = app.add_subcommand("meta", "metadata documents: set, get, unset fields");
  meta->require_subcommand(1);
  auto* set = meta->add_subcommand("set", "set fields of a meta/ document (JSON values)");
  set->add_option("key", args.key, "meta/... key")->required();
  set->add_option("fields", args.words, "field=value ...")->required();
  set->callback([&req, &args] {
    Result<json> fields = ParseFieldAssignments(args.words);
    if (!fields.ok()) throw CLI::ValidationError("meta set", fields.status().message());
    req.method = "meta.set";
    req.params = {{"key", args.key}, {"fields", *fields}};
    req.print = [](const json& r, std::ostream& out) { PrintVersionWritten("set", r, out); };
  });
  auto* get = meta->add_subcommand("get", "print the fields of a meta/ document");
  get->add_option("key", args.key, "meta/... key")->required();
  get->callback([&req, &args] {
    req.method = "meta.get";
    req.params = {{"key", args.key}};
    req.print = PrintMetaDocument;
  });
  auto* unset = meta->add_subcommand("unset", "delete fields of a meta/ document");
  unset->add_option("key", args.key, "meta/... key")->required();
  unset->add_option("fields", args.words, "field names")->required();
  unset->callback([&req, &args] {
    req.method = "meta.unset";
    req.params = {{"key", args.key}, {"fields", args.words}};
    req.print = [](const json& r, std::ostream& out) { PrintVersionWritten("unset", r, out); };
  });
}

// `peers` lists the links; `peers add|rm host:port` change the peers at runtime, `peers ls`
// lists the configured and the added ones.
void AddPeersSubcommands(CLI::App& app, SubcommandArgs& args, CliRequest& req) {
  auto* peers = app.add_subcommand("peers", "list peers: state, address, last seen, bytes, lag, transfers");
  peers->callback([&req, peers] {
    if (!peers->get_subcommands().empty()) return;  // add, rm or ls set the request
    req.method = "peers";
    req.print = PrintPeers;
  });
  for (auto [name, help] :
       {std::pair{"add", "dial host:port from now on, also after restarts"},
        std::pair{"rm", "stop dialing a peer added with `peers add`, closing its link"}}) {
    auto* change = peers->add_subcommand(name, help);
    change->add_option("address", args.url, "host:port")->required();
    change->callback([&req, &args, method = std::string("peers.") + name] {
      req.method = method;
      req.params = {{"address", args.url}};
      req.print = PrintPeerLists;
    });
  }
  peers->add_subcommand("ls", "list the configured peers (network.peers) and those added at runtime")
      ->callback([&req] {
        req.method = "peers.ls";
        req.print = PrintPeerLists;
      });
}

void AddSubcommands(CLI::App& app, SubcommandArgs& args, CliRequest& req) {
  auto on = [&req](CLI::App* sub, std::string method,
                   std::function<void(const json&, std::ostream&)> print) {
    sub->callback([&req, method, print] {
      req.method = method;
      req.print = print;
    });
  };

  on(app.add_subcommand("status", "show the node, its settings and store figures"), "status",
     PrintStatus);

  auto* put = app.add_subcommand("put", "store a file or directory as a new version of <key>");
  put->add_option("key", args.key, "object key, e.g. model/helmet")->required();
  put->add_option("path", args.path, "file or directory to store, or an s3://bucket/prefix or https:// URL")->required();
  put->add_option("--spec", args.spec,
                  "JSON spec file: a model spec, or a dataset's format, label_column, splits");
  put->add_option("--format", args.format, "dataset format (csv, txt-index, txt-boxes, voc-xml, ...)");
  put->add_flag("--strict", args.strict, "reject specs and datasets with warnings");
  put->add_flag("--allow-insecure-http", args.allow_insecure_http,
                "let PATH be an http:// URL (unencrypted; https:// and s3:// need no flag)");
  put->add_option("--wait", args.wait,
                  "then wait until N other nodes, or every known node with label=value, hold "
                  "the new version");
  put->add_option("--wait-timeout", args.wait_timeout_s, "seconds --wait waits (default 60)")
      ->check(CLI::NonNegativeNumber);
  put->callback([&req, &args] {
    req.method = "put";
    // A URL (s3://, https://) is read by the daemon as given; a path is made absolute here.
    const bool url = args.path.find("://") != std::string::npos;
    req.params = {{"key", args.key}, {"path", url ? args.path : AbsolutePath(args.path)}};
    if (args.allow_insecure_http) req.params["allow_insecure_http"] = true;
    if (!args.spec.empty()) req.params["spec"] = AbsolutePath(args.spec);
    if (!args.format.empty()) req.params["format"] = args.format;
    if (args.strict) req.params["strict"] = true;
    req.progress_label = "put " + args.key;
    req.print = [](const json& r, std::ostream& out) { PrintVersionWritten("put", r, out); };
    if (args.wait.empty()) return;
    req.then = [&args](const json& put, CliRequest* next) {
      next->method = "wait";
      next->params = {{"key", args.key},
                      {"version", put.value("version", "")},
                      {"target", args.wait},
                      {"timeout_ms", static_cast<uint64_t>(args.wait_timeout_s * 1000)}};
      next->print = PrintWait;
      next->failed = [](const json& r) { return !r.value("met", false); };
    };
  });

  auto* get = app.add_subcommand("get", "write the files of <key> into <dir>");
  get->add_option("key", args.key, "object key")->required();
  get->add_option("dir", args.dest, "destination directory (created)")->required();
  get->add_option("--version", args.version, "version id (default: latest)");
  get->add_option("--part", args.part, "only this part of a joint-inference model")
      ->check(CLI::IsMember({"edge", "cloud"}));
  get->callback([&req, &args] {
    req.method = "get";
    req.params = {{"key", args.key}, {"dest", AbsolutePath(args.dest)}};
    if (!args.version.empty()) req.params["version"] = args.version;
    if (!args.part.empty()) req.params["part"] = args.part;
    req.progress_label = "get " + args.key;
    req.print = PrintGet;
  });

  auto* export_ = app.add_subcommand("export", "write the files of <key> as objects under an s3:// prefix");
  export_->add_option("key", args.key, "object key")->required();
  export_->add_option("url", args.url, "s3://bucket/prefix")->required();
  export_->add_option("--version", args.version, "version id (default: latest)");
  export_->add_option("--part", args.part, "only this part of a joint-inference model")
      ->check(CLI::IsMember({"edge", "cloud"}));
  export_->callback([&req, &args] {
    req.method = "export";
    req.params = {{"key", args.key}, {"url", args.url}};
    if (!args.version.empty()) req.params["version"] = args.version;
    if (!args.part.empty()) req.params["part"] = args.part;
    req.progress_label = "export " + args.key;
    req.print = PrintExport;
  });

  auto* ls = app.add_subcommand("ls", "list objects, optionally under a key prefix");
  ls->add_option("prefix", args.prefix, "key prefix, e.g. model/ or dataset/site-a/");
  ls->add_option("--page-size", args.page_size,
                 "objects asked per request (default: the daemon's, 1000)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{5000}));
  ls->add_flag("--all", args.all,
               "also the documents each node writes about itself (meta/nodes/*, meta/deployments/*)");
  ls->callback([&req, &args] {
    req.method = "ls";
    req.params = {{"prefix", args.prefix}};
    if (args.all) req.params["all"] = true;
    if (args.page_size > 0) req.params["limit"] = args.page_size;
    req.print = PrintObjectList;
    req.paged = true;
  });

  auto* show = app.add_subcommand("show", "show the latest version of <key>: spec and files");
  show->add_option("key", args.key, "object key")->required();
  show->callback([&req, &args] {
    req.method = "show";
    req.params = {{"key", args.key}};
    req.print = PrintObjectDetails;
  });

  auto* rm = app.add_subcommand("rm", "delete <key> (a tombstone version; history is kept)");
  rm->add_option("key", args.key, "object key")->required();
  rm->callback([&req, &args] {
    req.method = "rm";
    req.params = {{"key", args.key}};
    req.print = [](const json& r, std::ostream& out) { PrintVersionWritten("deleted", r, out); };
  });

  auto* select = app.add_subcommand(
      "select", "select models: --task T --labels-all a,b --labels-any a,b --meta k=v "
                "--metric 'mAP>=0.8' --order mAP --limit N --prefix model/ns/");
  select->fallthrough(false);
  select->prefix_command();
  select->callback([&req, &args, select] {
    std::vector<std::string> words;
    for (const std::string& word : select->remaining()) {
      if (word == "--json") args.json_after_select = true;
      else words.push_back(word);
    }
    req.method = "select";
    req.params = {{"query", words}};
    req.print = PrintSelection;
  });

  auto* history = app.add_subcommand("history", "list the retained versions of <key>");
  history->add_option("key", args.key, "object key")->required();
  history->callback([&req, &args] {
    req.method = "history";
    req.params = {{"key", args.key}};
    req.print = PrintHistory;
  });

  auto* rollback =
      app.add_subcommand("rollback", "make an older version of <key> the newest again");
  rollback->add_option("key", args.key, "object key")->required();
  rollback->add_option("version", args.version, "version id from `edgesync history`")->required();
  rollback->callback([&req, &args] {
    req.method = "rollback";
    req.params = {{"key", args.key}, {"version", args.version}};
    req.print = [](const json& r, std::ostream& out) { PrintVersionWritten("rolled back", r, out); };
  });

  auto* apply = app.add_subcommand("apply", "apply Sedna Model/Dataset YAML documents");
  apply->add_option("-f,--file", args.file, "YAML file")->required();
  apply->callback([&req, &args] {
    req.method = "apply";
    req.params = {{"path", AbsolutePath(args.file)}};
    req.print = PrintApplied;
  });

  AddPeersSubcommands(app, args, req);
  auto* resync = app.add_subcommand(
      "resync", "compare with connected peers ignoring checkpoints: re-read their whole change "
                "logs, fetch what is missing here, report what was found and fixed");
  resync->add_option("--peer", args.peer, "only this peer (node id)");
  resync->add_option("--key", args.key, "report on these keys only (a key or glob, e.g. model/*)");
  resync->add_option("--timeout", args.wait_timeout_s, "seconds to wait for the logs and fetches (default 60)")
      ->check(CLI::NonNegativeNumber);
  resync->callback([&req, &args] {
    req.method = "resync";
    req.params = json::object();
    if (!args.peer.empty()) req.params["peer"] = args.peer;
    if (!args.key.empty()) req.params["key"] = args.key;
    req.params["timeout_ms"] = static_cast<uint64_t>(args.wait_timeout_s * 1000);
    req.print = PrintResync;
  });
  on(app.add_subcommand("gc", "collect garbage now: chunks and manifests no retained version, pin or transfer uses"),
     "gc", PrintGc);
  auto* store = app.add_subcommand("store", "the node's store (docs/store.md)");
  store->require_subcommand(1);
  auto* rekey = store->add_subcommand(
      "rekey", "rewrap the store's data key under the key in <file> (storage.encryption; the data is not "
               "rewritten and reads go on); point storage.encryption_key_file at <file> before the next start");
  rekey->add_option("--key-file", args.file, "the new 32-byte key, readable only by the daemon's user")->required();
  rekey->callback([&req, &args] {
    req.method = "store.rekey";
    req.params = {{"key_file", AbsolutePath(args.file)}};
    req.print = [](const json& r, std::ostream& out) {
      out << "rekeyed: key id " << r.value("previous_key_id", "") << " -> " << r.value("key_id", "")
          << "; set storage.encryption_key_file = \"" << r.value("key_file", "")
          << "\" before the next start\n";
    };
  });
  on(app.add_subcommand("limits", "bandwidth limits in force now and until when, the schedule, per-peer "
                                   "limits and transfer priorities"),
     "limits", PrintLimits);
  auto* fleet = app.add_subcommand("fleet", "every node known by its record: labels, software, what it holds and runs, how stale");
  fleet->add_option("--where", args.where, "label=value a node must have (repeatable)");
  fleet->add_option("--key", args.key, "show the versions each node holds of this key");
  fleet->callback([&req, &args] {
    req.method = "fleet";
    req.params = {{"where", WhereLabels(args.where)}};
    if (!args.key.empty()) req.params["key"] = args.key;
    req.print = PrintFleet;
  });
  auto* where = app.add_subcommand("where", "list the nodes known to hold <key> (peers, and nodes further away by their records)");
  where->add_option("key", args.key, "object key")->required();
  where->callback([&req, &args] {
    req.method = "where";
    req.params = {{"key", args.key}};
    req.print = PrintWhere;
  });

  auto* checkout = app.add_subcommand(
      "checkout", "materialize <key> at <dir> (a symlink switched atomically) for a reader");
  checkout->add_option("key", args.key, "object key")->required();
  checkout->add_option("dir", args.dest, "the symlink to create or switch")->required();
  checkout->add_option("--version", args.version, "version id (default: latest)");
  checkout->add_option("--part", args.part,
                       "only this part of a joint-inference model (its files, without the prefix)");
  checkout->add_flag("--watch", args.watch, "keep following new versions; one line per switch");
  checkout->callback([&] {
    req.method = args.watch ? "checkout.watch" : "checkout";
    req.params = {{"key", args.key}, {"dest", AbsolutePath(args.dest)}};
    if (!args.version.empty()) {
      if (args.watch) throw CLI::ValidationError("--version", "cannot be combined with --watch");
      req.params["version"] = args.version;
    }
    if (!args.part.empty()) req.params["part"] = args.part;
    req.progress_label = "checkout " + args.key;
    req.print = PrintCheckout;
  });
}

// `cluster token`: asks the daemon that serves token joins for a one-time token.
void AddClusterTokenCommand(CLI::App& cluster, SubcommandArgs& args, CliRequest& req) {
  auto* token = cluster.add_subcommand(
      "token", "a one-time token a new node joins with (on the node serving cluster.join_listen)");
  token->add_option("--role", args.role, "the role the new node gets")
      ->required()
      ->check(CLI::IsMember({"edge", "cloud", "admin"}));
  token->add_option("--ttl", args.ttl,
                    "how long the token is valid: 90s, 15m, 1h, 2d (default 1h, at most 7d)");
  token->add_option("--labels", args.words, "key=value labels to hand to the new node, comma-separated")
      ->delimiter(',');
  token->add_option("--days", args.cert_days, "validity of the certificate it gets (default 365)")
      ->check(CLI::Range(1, 3650));
  token->callback([&req, &args] {
    Result<uint64_t> ttl_ms = ParseDurationMs(args.ttl.empty() ? "1h" : args.ttl);
    if (!ttl_ms.ok()) throw CLI::ValidationError("--ttl", ttl_ms.status().message());
    json labels = json::object();
    for (const std::string& label : args.words) {
      const auto eq = label.find('=');
      if (eq == std::string::npos || eq == 0)
        throw CLI::ValidationError("--labels", "'" + label + "' is not key=value");
      labels[label.substr(0, eq)] = label.substr(eq + 1);
    }
    req.method = "cluster.token";
    req.params = {{"role", args.role}, {"ttl_ms", *ttl_ms}, {"labels", labels},
                  {"cert_days", static_cast<uint64_t>(args.cert_days)}};
    req.print = PrintJoinToken;
  });
}

// Sends one request, shows its progress, events and answer; returns the exit code.
int Execute(ControlClient& client, CliRequest& req, bool as_json) {
  std::optional<ProgressBar> bar;
  if (!req.progress_label.empty() && !as_json) bar.emplace(req.progress_label);
  Result<ControlResponse> response =
      client.Call(req.method, req.params, [&](const ControlResponse& line) {
        if (line.kind == ControlResponse::Kind::kProgress && bar) {
          bar->Update(line.body.value("done", uint64_t{0}), line.body.value("total", uint64_t{0}));
        } else if (line.kind == ControlResponse::Kind::kEvent) {
          if (bar) bar->Clear();
          if (as_json) std::cout << line.body.dump() << std::endl;
          else if (req.print) {
            req.print(line.body, std::cout);
            std::cout.flush();
          }
        }
      });
  if (bar) bar->Clear();
  if (!response.ok()) {
    std::cerr << "edgesync: lost the daemon: " << response.status().message() << "\n";
    return kExitDaemonUnreachable;
  }
  if (response->kind == ControlResponse::Kind::kError) {
    std::cerr << "edgesync: " << req.method << ": " << response->error_code << ": "
              << response->error_message << "\n";
    return kExitRuntimeError;
  }
  req.result = response->body;
  const bool failed = req.failed && req.failed(req.result);
  if (as_json) {
    std::cout << response->body.dump(2) << "\n";
  } else if (req.method != "checkout.watch" && req.print) {
    req.print(response->body, failed ? std::cerr : std::cout);
  }
  return failed ? kExitRuntimeError : kExitOk;
}

// A paged list (`ls`): asks page after page and prints each as it arrives, so a store of any
// size lists without one huge answer. --json prints one document, {"objects":[...]}, written
// object by object.
int ExecutePaged(ControlClient& client, const CliRequest& req, bool as_json) {
  json params = req.params;
  bool first_page = true;
  if (as_json) std::cout << "{\"objects\": [";
  for (;;) {
    Result<ControlResponse> response =
        client.Call(req.method, params, [](const ControlResponse&) {});
    if (!response.ok()) {
      std::cout.flush();
      std::cerr << "edgesync: lost the daemon: " << response.status().message() << "\n";
      return kExitDaemonUnreachable;
    }
    if (response->kind == ControlResponse::Kind::kError) {
      std::cout.flush();
      std::cerr << "edgesync: " << req.method << ": " << response->error_code << ": "
                << response->error_message << "\n";
      return kExitRuntimeError;
    }
    const json& page = response->body;
    if (as_json) {
      for (const json& object : page.value("objects", json::array())) {
        std::cout << (first_page ? "\n  " : ",\n  ") << object.dump();
        first_page = false;
      }
    } else {
      PrintObjectListPage(page, first_page, std::cout);
      first_page = false;
    }
    std::cout.flush();
    auto next = page.find("next");
    if (next == page.end() || !next->is_string()) break;
    params["after"] = *next;
  }
  if (as_json) std::cout << "\n]}\n";
  return kExitOk;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"edgesync " EDGESYNC_VERSION " - client of the edgesyncd daemon", "edgesync"};
  app.footer(kHelpFooter);
  app.set_version_flag("--version", VersionLine("edgesync"));
  app.require_subcommand(1);
  app.fallthrough();
  bool as_json = false;
  std::string socket_flag, config_flag, data_dir_flag;
  app.add_flag("--json", as_json, "print the daemon's JSON result (events as JSON lines)");
  app.add_option("--socket", socket_flag, "control socket path");
  app.add_option("--config", config_flag, "read the socket path from edgesyncd's config file");
  app.add_option("--data-dir", data_dir_flag, "the daemon's data directory (default ./data)");
  CliRequest req;
  SubcommandArgs args;
  AddSubcommands(app, args, req);
  AddConflictSubcommands(app, args, req);
  AddDeploySubcommands(app, args, req);
  LocalCommand local;
  AddClusterCommands(app, &local);
  auto* reload = app.get_subcommand("cluster")->add_subcommand(
      "reload", "make the daemon re-read its CA, certificate, key and CRL now (as SIGHUP does)");
  reload->callback([&req] {
    req.method = "cluster.reload";
    req.print = PrintCredentialReload;
  });
  AddClusterTokenCommand(*app.get_subcommand("cluster"), args, req);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (local) {
    ProcessEnvironment env = ProcessEnvironment::FromProcess();
    return local(data_dir_flag.empty() ? DefaultDataDir(env)
                                       : std::filesystem::path(AbsolutePath(data_dir_flag)));
  }
  as_json = as_json || args.json_after_select;
  std::string error;
  std::optional<SocketChoice> socket =
      ResolveSocket(socket_flag, config_flag, data_dir_flag, &error);
  if (!socket) {
    std::cerr << "edgesync: " << error << "\n";
    return kExitUsage;
  }
  Result<ControlClient> client = ControlClient::Connect(socket->path);
  if (!client.ok()) return ReportUnreachable(*socket, client.status());

  if (req.paged) return ExecutePaged(*client, req, as_json);
  if (int code = Execute(*client, req, as_json); code != kExitOk || !req.then) return code;
  CliRequest next;
  req.then(req.result, &next);
  return Execute(*client, next, as_json);
}

}  // namespace edgesync
