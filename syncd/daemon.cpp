#include "syncd/daemon.h"

#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>  // before Asio: Boost 1.74 coroutines need std::exchange
#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>

#include <boost/asio.hpp>
#include <spdlog/spdlog.h>

#include "conflict/conflict_monitor.h"
#include "replication/message_types.h"
#include "replication/read_authority.h"
#include "replication/write_authority.h"
#include "catalog/catalog.h"
#include "store/store.h"
#include "control/catalog_commands.h"
#include "checkout/change_fanout.h"
#include "checkout/checkout.h"
#include "control/checkout_commands.h"
#include "control/deploy_commands.h"
#include "checkout/deployment_manager.h"
#include "base/build_info.h"
#include "base/wall_clock.h"
#include "checkout/fleet_deployments.h"
#include "control/fleet_commands.h"
#include "fleet/node_record_publisher.h"
#include "syncd/fleet_record.h"
#include "checkout/release_rules.h"
#include "checkout/checkout_pins.h"
#include "checkout/retention_holds.h"
#include "quota/disk_quota.h"
#include "quota/evicted_refetch.h"
#include "control/command_dispatcher.h"
#include "control/conflict_commands.h"
#include "control/control_server.h"
#include "status/dashboard/dashboard_page.h"
#include "base/build_info.h"
#include "base/exit_codes.h"
#include "control/garbage_collection.h"
#include "syncd/chunk_tier.h"
#include "syncd/credentials/node_credentials.h"
#include "syncd/join/join_commands.h"
#include "syncd/join/join_server.h"
#include "syncd/peers/peer_commands.h"
#include "transport/ca_fingerprint.h"
#include "syncd/logging.h"
#include "syncd/schedule_clock.h"
#include "control/limits_command.h"
#include "control/meta_commands.h"
#include "control/object_commands.h"
#include "syncd/node_identity.h"
#include "control/node_settings.h"
#include "checkout/part_locator.h"
#include "syncd/peer_network.h"
#include "control/replication_commands.h"
#include "status/http_access.h"
#include "status/status_service.h"
#include "control/status_command.h"
#include "control/rekey_command.h"
#include "control/store_commands.h"
#include "syncd/systemd_notifier.h"
#include "control/worker_pools.h"
#include "remote/object_sources.h"
#include "transport/identity.h"

namespace edgesync {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr size_t kNetworkThreads = 2;
constexpr auto kShutdownGrace = std::chrono::seconds(5);
constexpr auto kShutdownPoll = std::chrono::milliseconds(50);

// Startup failures that are the configuration's fault exit 78 so systemd does not restart.
struct StartupError {
  int exit_code;
  std::string message;
};

void PrintStartupError(const StartupError& error) {
  std::fprintf(stderr, "edgesyncd: %s\n", error.message.c_str());
}

Status PrepareDataDir(const DaemonConfig& config) {
  const std::filesystem::path& dir = config.data_dir;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IoError("data directory " + dir.string() + " cannot be created: " + ec.message());
    ::chmod(dir.c_str(), config.socket_group.empty() ? 0700 : 0750);
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::IoError("data directory " + dir.string() + " is not a directory");
  }
  std::filesystem::path probe = dir / ".write-probe";
  {
    std::ofstream out(probe, std::ios::trunc);
    out << "probe";
    if (!out.flush()) {
      return Status::IoError("data directory " + dir.string() + " is not writable");
    }
  }
  std::filesystem::remove(probe, ec);
  return Status::Ok();
}

// Binds (without listening) a TCP address served later by another component, so a port in use
// is a startup error now rather than a surprise later.
Result<std::unique_ptr<tcp::acceptor>> ReserveAddress(asio::io_context& io,
                                                      const ListenAddress& address,
                                                      const char* key) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.host, ec);
  if (ec) return Status::InvalidArgument(std::string(key) + ": '" + address.host + "' is not an IP address");
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  tcp::endpoint endpoint(ip, address.port);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (ec) {
    return Status::InvalidArgument(std::string(key) + " " + address.ToString() + ": " + ec.message());
  }
  return acceptor;
}

std::string BoundAddress(const std::unique_ptr<tcp::acceptor>& acceptor) {
  if (!acceptor) return "off";
  tcp::endpoint endpoint = acceptor->local_endpoint();
  std::string host = endpoint.address().to_string();
  if (endpoint.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

// The config file's [[deploy]] tables as the deployment manager takes them.
std::vector<DeploymentSpec> DeclaredDeployments(const DaemonConfig& config) {
  std::vector<DeploymentSpec> specs;
  for (const DeployDeclaration& d : config.deploys)
    specs.push_back({d.name, d.key, d.dir, d.part, d.version, d.channel, d.on_switch, d.health, d.health_timeout_ms});
  return specs;
}

// storage.keep_versions, storage.keep_for and [[storage.retention]] as the store takes them.
RetentionPolicy RetentionPolicyOf(const DaemonConfig& config) {
  RetentionPolicy policy;
  policy.defaults = {static_cast<uint32_t>(config.keep_versions), config.keep_for_ms};
  for (const RetentionOverride& o : config.retention_overrides) {
    policy.overrides.push_back({o.glob, {static_cast<uint32_t>(o.keep_versions.value_or(config.keep_versions)),
                                         o.keep_for_ms.value_or(config.keep_for_ms)}});
  }
  return policy;
}

// storage.max_bytes and storage.min_free as the disk quota takes them.
DiskQuotaLimits QuotaLimitsOf(const DaemonConfig& config) {
  return {config.max_bytes.bytes, config.max_bytes.percent, config.min_free.bytes, config.min_free.percent};
}

void LogQuota(int level, const std::string& message) {
  spdlog::log(level <= 3 ? spdlog::level::err : level == 4 ? spdlog::level::warn : spdlog::level::info,
              "disk quota: {}", message);
}

// The disk quota as `edgesync status` shows it; null when no limit is configured.
nlohmann::json QuotaJson(const QuotaUsage& u) {
  if (!u.enabled) return nullptr;
  nlohmann::json j = {{"used_bytes", u.used_bytes},   {"reserved_bytes", u.reserved_bytes},
                      {"limit_bytes", u.limit_bytes}, {"peak_bytes", u.peak_bytes},
                      {"evicted_versions", u.evicted_versions}, {"evictions", u.evictions},
                      {"refusals", u.refusals},       {"replication_paused", u.paused}};
  if (u.paused) j["paused_reason"] = u.paused_reason;
  return j;
}

// Replication's log lines go to the daemon log; levels are syslog numbers.
spdlog::level::level_enum SpdLevel(int level) {
  return level <= 3   ? spdlog::level::err
         : level == 4 ? spdlog::level::warn
         : level <= 6 ? spdlog::level::info
                      : spdlog::level::debug;
}

void LogReplication(int level, const std::string& message) {
  spdlog::log(SpdLevel(level), "replication: {}", message);
}

void LogConflict(int level, const std::string& message) {
  spdlog::log(SpdLevel(level), "conflict: {}", message);
}

// Who this node is on the wire. With TLS the certificate decides; in plaintext test mode the
// store's own id is used and the cluster id defaults to "test".
Result<NodeIdentity> WireIdentity(const DaemonConfig& config) {
  if (!config.replication_enabled()) return NodeIdentity{};
  if (config.insecure_plaintext_for_tests) {
    return NodeIdentity{"", "", config.cluster.id.empty() ? "test" : config.cluster.id};
  }
  return LoadNodeIdentity(ResolveClusterFiles(config), config.cluster.id);
}

// Connected peers and the software versions from their Hellos, for `status`.
nlohmann::json PeerVersions(PeerNetwork& network) {
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : network.replicator().Peers())
    if (p.connected) peers.push_back({{"node_id", p.node_id}, {"version", p.software_version}});
  return peers;
}

// The write ACL needs a certified role: nodes without TLS identities (replication off, plaintext
// test mode) do not enforce it.
Result<std::unique_ptr<replication::WriteAuthority>> MakeWriteAuthority(const DaemonConfig& config,
                                                                       const NodeIdentity& identity) {
  if (identity.role.empty()) return std::unique_ptr<replication::WriteAuthority>();
  ClusterFiles files = ResolveClusterFiles(config);
  replication::WriteAuthorityOptions options;
  options.role = identity.role;
  options.node_id = identity.node_id;
  for (auto [path, text] : {std::pair{&files.ca_cert, &options.ca_pem}, std::pair{&files.cert, &options.cert_pem},
                            std::pair{&files.key, &options.key_pem}}) {
    auto read = transport::ReadTextFile(*path);
    if (!read.ok()) return Status::InvalidArgument(read.status().message());
    *text = std::move(read).value();
  }
  options.log = [](int level, const std::string& message) {
    spdlog::log(SpdLevel(level), "acl: {}", message);
  };
  return std::make_unique<replication::WriteAuthority>(std::move(options));
}

// Read rules are judged by the peer's certificate: like the write ACL, nodes without TLS
// identities do not enforce them. Refusals are counted by the status feed once it exists.
std::shared_ptr<replication::ReadAuthority> MakeReadAuthority(const NodeIdentity& identity,
                                                              std::function<void(replication::ReadRefusal, uint64_t)> counted) {
  if (identity.role.empty()) return nullptr;
  replication::ReadAuthorityOptions options;
  options.log = [](int level, const std::string& message) { spdlog::log(SpdLevel(level), "acl: {}", message); };
  options.on_refused = std::move(counted);
  return std::make_shared<replication::ReadAuthority>(std::move(options));
}

// The running daemon. Members are declared in construction order; destruction runs backwards:
// the server and the worker pools stop before the store closes.
class Daemon {
 public:
  Daemon(DaemonConfig config, DaemonInvocation invocation)
      : config_(std::move(config)),
        invocation_(std::move(invocation)),
        settings_(ReloadableSettings{config_.labels, config_.subscriptions, config_.log_level,
                                     config_.priorities}),
        bandwidth_(std::make_shared<limits::BandwidthLimiter>(config_.bandwidth, ScheduleClock())),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        watchdog_timer_(io_),
        pin_renew_timer_(io_),
        gc_timer_(io_),
        checkpoint_timer_(io_),
        idle_timer_(io_),
        credential_timer_(io_),
        limits_timer_(io_),
        shutdown_timer_(io_) {}

  std::optional<StartupError> Start();
  int Run();

 private:
  PeerNetworkOptions NetworkOptions(const NodeIdentity& identity);
  NodeRecordPublisher::Options NodeRecordOptions() const;
  // Reads every node record this node holds (fleet/fleet_view.h).
  FleetSource FleetReader() const;
  std::optional<StartupError> StartPeerNetwork(const NodeIdentity& identity,
                                               std::string* peer_address);
  std::optional<StartupError> StartJoinServer();
  void StartConflictMonitor();
  void CreateStatusService(std::chrono::steady_clock::time_point started);
  void WaitForSignal();
  void Reload();
  void BeginShutdown();
  void PollShutdown(std::chrono::steady_clock::time_point deadline);
  void ScheduleWatchdog(std::chrono::microseconds interval);
  void SchedulePinRenewal();
  void ScheduleGarbageCollection();
  void ScheduleTierCheckpoint();
  void ScheduleIdleMemoryRelease(uint64_t last_seq, bool released);
  void ScheduleCredentialCheck();
  void ScheduleLimitsRefresh(const limits::LimitsInForce& previous);
  void RegisterClusterReload();
  // Recomputes what deployments and channels need kept, off the committing thread.
  void RefreshRetentionHolds();
  // The disk quota over the open store; a configuration error when pinned data does not fit.
  std::optional<StartupError> StartDiskQuota();

  DaemonConfig config_;
  DaemonInvocation invocation_;
  SystemdNotifier notifier_;
  NodeSettings settings_;
  // Transport paces bulk frames through it, replication its chunk requests.
  std::shared_ptr<limits::BandwidthLimiter> bandwidth_;
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer pin_renew_timer_;
  asio::steady_timer gc_timer_;
  asio::steady_timer checkpoint_timer_;
  asio::steady_timer idle_timer_;
  asio::steady_timer credential_timer_;
  asio::steady_timer limits_timer_;
  asio::steady_timer shutdown_timer_;
  std::unique_ptr<tcp::acceptor> peer_listener_;  // handed to transport when it lands
  std::unique_ptr<tcp::acceptor> http_listener_;  // handed to the status server at startup
  std::string http_address_ = "off";
  std::unique_ptr<replication::WriteAuthority> write_authority_;  // store_ calls into it
  std::shared_ptr<replication::ReadAuthority> read_authority_;    // so does it, and network_
  std::unique_ptr<Store> store_;
  std::unique_ptr<DiskQuota> quota_;               // store_ admits puts through it
  std::unique_ptr<EvictedRefetch> refetch_;        // store_'s read hook; fetches through network_
  std::unique_ptr<ObjectSources> object_sources_;  // before catalog_, which holds a pointer to it
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<ChangeFanout> changes_;
  std::unique_ptr<CheckoutPins> pins_;
  std::unique_ptr<PartLocator> part_locator_;
  std::unique_ptr<CheckoutSwitcher> switcher_;
  // This node's fleet record; before deployments_, whose reports poke it.
  std::shared_ptr<DeploymentDigest> deployment_digest_ = std::make_shared<DeploymentDigest>();
  std::unique_ptr<NodeRecordPublisher> node_record_;
  std::vector<std::shared_ptr<ChangeFanout::Subscription>> record_triggers_;
  std::unique_ptr<RetentionHolds> retention_holds_;  // reads deployments_ once it is set
  std::unique_ptr<DeploymentManager> deployments_;  // uses switcher_ and changes_
  std::shared_ptr<ChangeFanout::Subscription> releases_changed_;
  CommandDispatcher dispatcher_;
  // Declared before pools_ so the pools join before the monitor their tasks use goes away.
  std::unique_ptr<conflict::ConflictMonitor> conflicts_;  // listens to store_; tasks on pools_
  std::unique_ptr<WorkerPools> pools_;
  std::unique_ptr<PeerNetwork> network_;
  std::unique_ptr<NodeCredentials> credentials_;  // null without a TLS identity
  std::unique_ptr<JoinTokenStore> join_tokens_;    // null unless cluster.join_listen is set
  std::unique_ptr<JoinServer> join_server_;
  std::unique_ptr<ControlServer> server_;
  // Declared last: its feed reads the store, replicator and conflicts above, so it stops first.
  std::unique_ptr<StatusService> status_;
  bool stopping_ = false;
  bool restored_from_tier_ = false;
  bool tiered_ = false;  // chunk bytes live in storage.chunk_tier
};

std::optional<StartupError> Daemon::Start() {
  auto started = std::chrono::steady_clock::now();
  Status data_dir = PrepareDataDir(config_);
  if (!data_dir.ok()) return StartupError{kExitConfig, data_dir.message()};
  if (config_.peer_listen.enabled) {
    auto reserved = ReserveAddress(io_, config_.peer_listen, "network.peer_listen");
    if (!reserved.ok()) return StartupError{kExitConfig, reserved.status().message()};
    peer_listener_ = std::move(*reserved);
  }
  if (config_.http_status.enabled) {
    auto reserved = ReserveAddress(io_, config_.http_status, "network.http_status");
    if (!reserved.ok()) return StartupError{kExitConfig, reserved.status().message()};
    http_listener_ = std::move(*reserved);
    http_address_ = BoundAddress(http_listener_);
  }

  Result<NodeIdentity> identity = WireIdentity(config_);
  if (!identity.ok()) return StartupError{kExitConfig, identity.status().message()};
  auto authority = MakeWriteAuthority(config_, *identity);
  if (!authority.ok()) return StartupError{kExitConfig, authority.status().message()};
  write_authority_ = std::move(*authority);
  // status_ exists before the peer network starts, so before any read can be refused.
  read_authority_ = MakeReadAuthority(*identity, [this](replication::ReadRefusal kind, uint64_t count) {
    if (status_) status_->feed().OnReadRefused(replication::ReadRefusalName(kind), count);
  });

  notifier_.Status("opening store");
  StoreOptions options;
  options.path = config_.data_dir / "store";
  // Beside the node's identity, outside the store: survives a wipe or restore of store/.
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir / "cluster", ec);
  if (ec) return StartupError{kExitConfig, "cannot create " + (config_.data_dir / "cluster").string() + ": " + ec.message()};
  options.incarnation_file = config_.data_dir / "cluster" / "store-incarnation";
  options.chunking = config_.chunking;
  options.block_cache_bytes = config_.block_cache_bytes;
  options.write_buffer_bytes = config_.write_buffer_bytes;
  options.retention = RetentionPolicyOf(config_);
  // quota_ is set right after the store opens, before any command or peer can put.
  options.admit_local_put = [this](const ObjectKey& key, uint64_t bytes) {
    return quota_ ? quota_->Admit(key.str(), bytes, false) : Status::Ok();
  };
  options.log_warning = [](const std::string& message) { spdlog::warn("store: {}", message); };
  if (config_.encryption) {
    Result<StoreKey> key = StoreKey::FromFile(config_.encryption_key_file);
    if (!key.ok()) return StartupError{kExitConfig, key.status().message()};
    options.encryption_key = std::move(key).value();
  }
  Result<TierOptions> tier = ChunkTierOptions(config_, invocation_.restore_from);
  if (!tier.ok()) return StartupError{kExitConfig, tier.status().message()};
  options.chunk_tier = std::move(tier).value();
  if (options.chunk_tier.bucket) {
    notifier_.Status("connecting to the chunk tier");
    Result<bool> restored = RestoreStoreIfAsked(options.chunk_tier, invocation_.restore_from, options.path);
    if (!restored.ok()) return StartupError{kExitRuntimeError, "--restore-from: " + restored.status().ToString()};
    restored_from_tier_ = *restored;
    tiered_ = true;
  }
  if (write_authority_) {
    options.seal_local_version = [authority = write_authority_.get()](const ObjectKey& key,
                                                                      const VersionRecord& record) {
      return authority->SealLocal(key, record);
    };
  }
  Result<std::unique_ptr<Store>> store = OpenStoreBoundTo(options, identity->node_id);
  if (!store.ok() && store.status().code() == Status::Code::kFailedPrecondition) {
    return StartupError{kExitConfig, store.status().message()};
  }
  if (!store.ok()) {
    return StartupError{kExitRuntimeError, "cannot open store in " + options.path.string() + ": " +
                                               store.status().ToString()};
  }
  store_ = std::move(*store);
  if (config_.encryption) {
    spdlog::info("store encrypted at rest under the key in {} (key id {})", config_.encryption_key_file.string(),
                 store_->EncryptionKeyId());
  }
  if (restored_from_tier_) {
    // The checkpoint may be older than the store that was lost: never reuse its counters.
    Status s = store_->Reincarnate("restored from " + options.chunk_tier.bucket->Describe());
    if (!s.ok()) return StartupError{kExitRuntimeError, "after --restore-from: " + s.ToString()};
    spdlog::info("store restored from {} (change log at {})", options.chunk_tier.bucket->Describe(),
                 store_->LastSeq());
  }
  if (write_authority_) write_authority_->Attach(*store_);
  if (read_authority_) read_authority_->Attach(*store_);
  if (auto error = StartDiskQuota()) return error;
  notifier_.Status("indexing catalog");
  CatalogOptions catalog_options;
  catalog_options.log_warning = [](const std::string& message) {
    spdlog::warn("catalog: {}", message);
  };
  // The mirror syncs from its own thread, woken by store changes: commits and replication
  // never wait for git, and a failed sync is logged and retried on the next change.
  catalog_options.history_path = config_.history_git_mirror;
  // s3:// and https:// puts, and exports, read and write through the object-storage client.
  object_sources_ = std::make_unique<ObjectSources>(
      S3SettingsOf(config_), objectstore::S3Environment::FromProcess());
  catalog_options.remote_sources = object_sources_.get();
  Result<std::unique_ptr<Catalog>> catalog = Catalog::Open(*store_, catalog_options);
  if (!catalog.ok()) {
    return StartupError{kExitRuntimeError, "cannot open catalog: " + catalog.status().ToString()};
  }
  catalog_ = std::move(*catalog);
  if (!config_.history_git_mirror.empty()) {
    spdlog::info("history mirror: {}", config_.history_git_mirror.string());
  }

  changes_ = std::make_unique<ChangeFanout>(*store_);
  pins_ = std::make_unique<CheckoutPins>(*store_, config_.data_dir / "checkouts.json");
  pins_->Restore();
  // The control server starts after the peer network, so network_ is set before any command.
  part_locator_ = std::make_unique<PartLocator>(
      *store_, [settings = &settings_] { return settings->Get().labels; },
      [this](const std::string& key, const std::string& version_id) {
        return network_->replicator().Holding(key, version_id);
      });
  switcher_ = std::make_unique<CheckoutSwitcher>(
      *store_, *pins_, *part_locator_,
      CheckoutRetentionPolicy{std::chrono::milliseconds(config_.checkout_grace_ms),
                              config_.checkout_max_old_versions});
  RegisterStoreCommands(dispatcher_, *store_, *catalog_, *part_locator_, config_.max_offline_ms);
  RegisterRekeyCommand(dispatcher_, *store_);
  RegisterObjectCommands(dispatcher_, *store_, *object_sources_);
  RegisterCatalogCommands(dispatcher_, *catalog_);
  RegisterCheckoutCommands(dispatcher_, *store_, *switcher_, *changes_);
  DeploymentManager::Options deploy_options;
  deploy_options.registry_file = config_.data_dir / "deployments.json";
  deploy_options.labels = [settings = &settings_] { return settings->Get().labels; };
  deploy_options.releases = [catalog = catalog_.get()] {
    return catalog->ReadMetaDocument(ObjectKey::Parse(kReleasesDocument).value());
  };
  // Each state change goes into this node's meta/deployments/<node> document, which replicates
  // to the fleet (`edgesync rollout status` on a cloud node).
  node_record_ = std::make_unique<NodeRecordPublisher>(*store_, *catalog_, NodeRecordOptions());
  deploy_options.report = [this, catalog = catalog_.get(), document = std::string(kFleetDeploymentsPrefix) + store_->node_id(),
                           digest = deployment_digest_, record = node_record_.get()](const DeploymentView& view) {
    Result<ObjectKey> key = ObjectKey::Parse(document);
    Result<VersionInfo> written =
        key.ok() ? catalog->SetMetaFields(*key, {{view.spec.name, DeploymentReport(view)}}) : key.status();
    if (!written.ok()) spdlog::warn("reporting deployment {}: {}", view.spec.name, written.status().ToString());
    digest->Update(view);
    record->Poke();
    RefreshRetentionHolds();
  };
  // Before deployments_ starts: its reports refresh the holds from its reporting thread.
  retention_holds_ = std::make_unique<RetentionHolds>(
      *store_, [this] { return deployments_ ? deployments_->List() : std::vector<DeploymentView>{}; },
      [catalog = catalog_.get()] { return catalog->ReadMetaDocument(ObjectKey::Parse(kReleasesDocument).value()); });
  deployments_ = std::make_unique<DeploymentManager>(*store_, *switcher_, *changes_, std::move(deploy_options));
  if (Status started = deployments_->Start(); !started.ok())
    return StartupError{kExitRuntimeError, started.ToString()};
  if (Status declared = deployments_->Declare(DeclaredDeployments(config_)); !declared.ok())
    return StartupError{kExitConfig, "configuration error: " + declared.message()};
  RegisterDeployCommands(dispatcher_, *store_, *catalog_, *deployments_);
  RefreshRetentionHolds();
  // Listeners run on the committing thread: the refresh (a store read) goes to a pool.
  releases_changed_ = changes_->Subscribe(kReleasesDocument, [this](const Change&) {
    if (pools_) pools_->TryPost(CommandLane::kQuick, [this] { RefreshRetentionHolds(); });
  });
  for (const DeploymentView& view : deployments_->List()) deployment_digest_->Update(view);
  for (const char* prefix : {"model/", "dataset/"})
    record_triggers_.push_back(changes_->SubscribePrefix(prefix, [record = node_record_.get()](const Change&) {
      record->Poke();
    }));
  node_record_->Start();
  RegisterFleetCommands(dispatcher_, FleetReader());
  pools_ = std::make_unique<WorkerPools>(WorkerPoolSizes{});
  StartConflictMonitor();
  if (identity->node_id.empty()) identity->node_id = store_->node_id();
  std::string peer_address = "off";
  CreateStatusService(started);
  if (auto error = StartPeerNetwork(*identity, &peer_address)) return error;
  // The status server takes over the reserved socket; the feed starts sampling replication.
  Status status_started =
      status_->Start(io_, http_listener_ ? http_listener_->release() : -1, &network_->replicator());
  http_listener_.reset();
  if (!status_started.ok()) return StartupError{kExitConfig, status_started.message()};
  RegisterReplicationCommands(dispatcher_, *network_, FleetReader(), store_->node_id());
  RegisterPeerCommands(dispatcher_, *network_);
  RegisterLimitsCommand(dispatcher_, *bandwidth_, [this] { return settings_.Get().priorities; });
  RegisterClusterReload();
  if (auto error = StartJoinServer()) return error;
  RegisterStatusCommand(dispatcher_, *store_, settings_,
                        NodeDescription{config_.node_name, config_.data_dir.string(),
                                        config_.control_socket.string(), peer_address,
                                        http_address_, started,
                                        [network = network_.get()] {
                                          return UnservedJson(network->replicator());
                                        },
                                        [network = network_.get()] {
                                          return network->replicator().ClockSkewMs();
                                        },
                                        [network = network_.get()] { return PeerVersions(*network); },
                                        [credentials = credentials_.get()] {
                                          return credentials ? credentials->Json() : nlohmann::json(nullptr);
                                        },
                                        [quota = quota_.get()] { return QuotaJson(quota->Usage()); }});

  ControlServerOptions server_options;
  server_options.socket_path = config_.control_socket;
  server_options.socket_group = config_.socket_group;
  auto server = ControlServer::Bind(io_, dispatcher_, *pools_, server_options);
  if (!server.ok()) return StartupError{kExitConfig, server.status().message()};
  server_ = std::move(*server);
  return std::nullopt;
}

NodeRecordPublisher::Options Daemon::NodeRecordOptions() const {
  NodeRecordPublisher::Options options;
  options.node_id = store_->node_id();
  options.software_version = std::string(BuildVersion());
  options.labels = [settings = &settings_] { return settings->Get().labels; };
  options.deployments = [digest = deployment_digest_] { return digest->Json(); };
  options.disk_free_bytes = [dir = config_.data_dir] {
    std::error_code ec;
    const std::filesystem::space_info space = std::filesystem::space(dir, ec);
    return ec ? uint64_t{0} : static_cast<uint64_t>(space.available);
  };
  options.heartbeat = std::chrono::milliseconds(config_.fleet_heartbeat_ms);
  return options;
}

FleetSource Daemon::FleetReader() const {
  return [catalog = catalog_.get(), stale_after = config_.fleet_stale_after_ms] {
    return ReadFleet(*catalog, WallClockMs(), stale_after);
  };
}

PeerNetworkOptions Daemon::NetworkOptions(const NodeIdentity& identity) {
  PeerNetworkOptions options;
  options.networking = config_.replication_enabled();
  options.listen = config_.peer_listen.enabled;
  options.peers = config_.peers;
  if (auto site = config_.labels.find("site"); site != config_.labels.end()) options.site = site->second;
  options.max_peers = config_.max_peers;
  options.runtime_peers_file = config_.data_dir / "peers.json";
  options.replicator.window_bytes = config_.replication_window_bytes;
  options.replicator.run_blocking = [pools = pools_.get()](std::function<void()> work) {
    pools->TryPost(CommandLane::kBulk, std::move(work));
  };
  options.replicator.log = LogReplication;
  options.replicator.on_corrupt_data = [status = status_.get()](const std::string& peer,
                                                                const std::string& message) {
    status->feed().OnCorruptData(peer, message);
  };
  if (write_authority_) {
    options.replicator.admit_version = [authority = write_authority_.get()](
                                           const std::string& key, const VersionRecord& record,
                                           const std::string& sender_role) {
      return authority->AdmitRemote(key, record, sender_role);
    };
  }
  options.replicator.read_authority = read_authority_;
  options.replicator.admit_fetch = [quota = quota_.get()](const std::string& key, uint64_t bytes) {
    return quota->Admit(key, bytes, true);
  };
  options.replicator.subscriptions = config_.subscriptions;
  options.replicator.labels = config_.labels;
  options.replicator.priorities = config_.priorities;
  options.replicator.bandwidth = bandwidth_;
  options.replicator.run_after = [io = &io_](std::chrono::milliseconds delay, std::function<void()> fn) {
    auto timer = std::make_shared<asio::steady_timer>(*io, delay);
    timer->async_wait([timer, fn = std::move(fn)](boost::system::error_code ec) {
      if (!ec) fn();
    });
  };

  transport::TransportOptions& t = options.transport;
  t.local_hello.cluster_id = identity.cluster_id;
  t.local_hello.node_id = identity.node_id;
  t.local_hello.min_protocol_version = replication::kMinProtocolVersion;
  t.local_hello.max_protocol_version = replication::kMaxProtocolVersion;
  t.local_hello.labels = config_.labels;
  t.local_hello.subscriptions = config_.subscriptions;
  t.local_hello.store_epoch = store_->epoch();
  t.local_hello.software_version = VersionLine("edgesyncd");
  t.store_epoch_source = [store = store_.get()] { return store->epoch(); };
  t.bandwidth = bandwidth_;
  if (peer_listener_) {
    t.listen_address = peer_listener_->local_endpoint().address().to_string();
    t.listen_port = peer_listener_->local_endpoint().port();
  }
  t.insecure_plaintext_for_tests = config_.insecure_plaintext_for_tests;
  if (!t.insecure_plaintext_for_tests) {
    transport::CredentialFiles files = CredentialFilesOf(ResolveClusterFiles(config_));
    t.ca_cert_file = files.ca_cert;
    t.cert_file = files.cert;
    t.key_file = files.key;
    t.crl_file = files.crl;
  }
  return options;
}

std::optional<StartupError> Daemon::StartPeerNetwork(const NodeIdentity& identity,
                                                     std::string* peer_address) {
  if (config_.insecure_plaintext_for_tests && config_.replication_enabled()) {
    spdlog::warn("network.insecure_plaintext_for_tests is ON: peer links are NOT encrypted or "
                 "authenticated (loopback only); never use this outside tests");
  }
  auto network = PeerNetwork::Create(io_, *store_, NetworkOptions(identity));
  if (!network.ok()) return StartupError{kExitConfig, network.status().message()};
  network_ = std::move(*network);
  std::string host = peer_listener_ ? BoundAddress(peer_listener_) : "";
  peer_listener_.reset();  // release the reservation: the transport binds the same address
  Result<uint16_t> port = network_->Start();
  if (!port.ok()) return StartupError{kExitConfig, port.status().message()};
  if (config_.peer_listen.enabled) {
    *peer_address = host.substr(0, host.rfind(':') + 1) + std::to_string(*port);
  }
  if (network_->networking()) {
    spdlog::info("replication: node {} in cluster {}, listening on {}, dialing {} peer(s)",
                 identity.node_id, identity.cluster_id, *peer_address, config_.peers.size());
  }
  if (network_->networking() && !config_.insecure_plaintext_for_tests) {
    credentials_ = std::make_unique<NodeCredentials>(
        ResolveClusterFiles(config_), [authority = write_authority_.get()](const transport::TlsMaterial& m) {
          if (authority) authority->UpdateSigningIdentity(m.cert_pem, m.key_pem);
        });
    credentials_->Check();
  }
  return std::nullopt;
}

// The token join endpoint, when configured; `cluster.token` answers either way.
std::optional<StartupError> Daemon::StartJoinServer() {
  JoinEndpoint endpoint;
  if (config_.cluster.join_listen.enabled) {
    auto ca = transport::LoadClusterCa(config_.cluster.join_ca);
    if (!ca.ok()) {
      return StartupError{kExitConfig, "cluster.join_ca " + config_.cluster.join_ca.string() + ": " +
                                           ca.status().message()};
    }
    auto fingerprint = transport::CertificateFingerprintOfPem(ca->cert_pem);
    if (!fingerprint.ok()) {
      return StartupError{kExitConfig, "cluster.join_ca: " + fingerprint.status().message()};
    }
    auto tokens = JoinTokenStore::Open(config_.data_dir / "join-tokens.json");
    if (!tokens.ok()) return StartupError{kExitConfig, tokens.status().message()};
    join_tokens_ = std::move(*tokens);
    JoinServerOptions options{
        config_.cluster.join_listen, std::move(*ca),
        [feed = &status_->feed()](const std::string&, const std::string&) { feed->OnJoinRefused(); }};
    auto server = JoinServer::Start(std::move(options), *join_tokens_);
    if (!server.ok()) return StartupError{kExitConfig, server.status().message()};
    join_server_ = std::move(*server);
    endpoint = {join_server_->address(), *fingerprint};
  }
  RegisterJoinCommands(dispatcher_, join_tokens_.get(), endpoint);
  return std::nullopt;
}

// The status address's feed and server (GET /status, /metrics, /). Reports (corrupt data, GC)
// are counted from here on; Start() comes once the replicator exists.
void Daemon::CreateStatusService(std::chrono::steady_clock::time_point started) {
  StatusServiceOptions options;
  options.feed.node_name = config_.node_name;
  options.feed.labels = [settings = &settings_] { return settings->Get().labels; };
  options.feed.started = started;
  // Files are read at each node sample, so a renewed certificate or CRL shows without a restart.
  options.feed.limits.store_dir = config_.data_dir / "store";
  if (!config_.insecure_plaintext_for_tests) {
    const ClusterFiles files = ResolveClusterFiles(config_);
    options.feed.limits.certificate_file = files.cert;
    options.feed.limits.crl_file = files.crl;  // absent from /metrics while no file is there
  }
  options.feed.refusals = [this] {
    std::vector<RefusedLink> out;
    if (network_)
      for (const LinkRefusal& r : network_->RecentRefusals()) out.push_back({r.address, r.reason, r.at_ms, r.count});
    return out;
  };
  // Read by /metrics on a network thread; the manager is reset only after those have stopped.
  options.feed.fleet_nodes = [read = FleetReader()] {
    std::vector<FleetNodeSample> out;
    Result<std::vector<FleetNode>> fleet = read();
    if (fleet.ok())
      for (const FleetNode& node : *fleet) out.push_back(SampleOf(node));
    return out;
  };
  options.feed.bandwidth = bandwidth_;
  options.feed.disk_quota = [quota = quota_.get()]() -> std::optional<DiskQuotaSample> {
    const QuotaUsage u = quota->Usage();
    if (!u.enabled) return std::nullopt;
    return DiskQuotaSample{u.used_bytes, u.reserved_bytes, u.limit_bytes, u.evicted_versions,
                           u.evictions,  u.refusals,       u.paused};
  };
  options.feed.deployments = [this] {
    std::vector<DeploymentSample> out;
    if (deployments_)
      for (const DeploymentView& d : deployments_->List())
        out.push_back({d.spec.name, d.spec.key, d.state.target, d.state.active, d.state.state, d.state.last_error,
                       d.state.switches, d.state.rollbacks, d.state.updated_ms});
    return out;
  };
  options.http.token = config_.http_token;
  options.http.allowed_origins = config_.http_allowed_origins;
  if (options.http.allowed_origins.empty() && http_listener_) {
    tcp::endpoint endpoint = http_listener_->local_endpoint();
    options.http.allowed_origins = DefaultAllowedOrigins(endpoint.address().to_string(), endpoint.port());
  }
  options.http.page = DashboardPage();
  status_ = std::make_unique<StatusService>(*store_, conflicts_.get(), std::move(options));
}

// Resolutions run on the bulk pool, like replication's store work. Conflicts left from before
// a restart (a crash between commit and resolution) are swept once at startup.
void Daemon::StartConflictMonitor() {
  auto run_blocking = [pools = pools_.get()](std::function<void()> work) {
    pools->TryPost(CommandLane::kBulk, std::move(work));
  };
  conflicts_ = std::make_unique<conflict::ConflictMonitor>(*store_, run_blocking, LogConflict);
  RegisterConflictCommands(dispatcher_, *store_, *conflicts_);
  RegisterMetaCommands(dispatcher_, *store_, *catalog_);
  run_blocking([monitor = conflicts_.get()] {
    auto open = monitor->OpenConflicts();
    if (!open.ok()) {
      LogConflict(3, "listing open conflicts: " + open.status().ToString());
      return;
    }
    for (const auto& c : *open) {
      auto resolved = monitor->ResolveKey(c.key);
      if (!resolved.ok()) LogConflict(3, "resolving " + c.key + ": " + resolved.status().ToString());
    }
  });
}

int Daemon::Run() {
  server_->Start();
  WaitForSignal();
  if (auto interval = notifier_.WatchdogPingInterval()) ScheduleWatchdog(*interval);
  SchedulePinRenewal();
  ScheduleGarbageCollection();
  ScheduleTierCheckpoint();
  ScheduleIdleMemoryRelease(store_->LastSeq(), false);
  ScheduleCredentialCheck();
  ScheduleLimitsRefresh(limits::LimitsInForce{});
  spdlog::info("edgesyncd {} node {} ({}) serving {} on {}", EDGESYNC_VERSION, config_.node_name,
               store_->node_id(), config_.data_dir.string(), config_.control_socket.string());
  if (config_.http_status.enabled) {
    spdlog::info("status and metrics on http://{}/ (/status, /metrics){}", http_address_,
                 config_.http_token.empty() ? "" : ", bearer token required");
  }
  notifier_.Ready("serving on " + config_.control_socket.string());

  std::vector<std::thread> threads;
  for (size_t i = 1; i < kNetworkThreads; ++i) threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& thread : threads) thread.join();

  network_->ShutdownReplicator();  // waits for replication tasks still on the bulk pool
  pools_->Join();  // a put in progress completes; the store's commit is atomic either way
  if (Result<bool> saved = store_->CheckpointTier(); !saved.ok())
    spdlog::error("final chunk tier checkpoint: {}", saved.status().ToString());
  deployments_.reset();  // stops its worker: a health check in progress is cut short
  node_record_.reset();
  network_.reset();
  server_.reset();
  catalog_.reset();
  store_.reset();  // flushes and closes the database
  spdlog::info("edgesyncd stopped");
  return kExitOk;
}

void Daemon::WaitForSignal() {
  signals_.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      Reload();
      WaitForSignal();
      return;
    }
    spdlog::info("received {}, shutting down", signo == SIGTERM ? "SIGTERM" : "SIGINT");
    BeginShutdown();
  });
}

void Daemon::Reload() {
  if (credentials_) (void)credentials_->Reload(*network_);  // logs its outcome
  auto env = ProcessEnvironment::FromProcess();
  Result<DaemonConfig> reloaded =
      LoadDaemonConfig(invocation_.config_file, invocation_.overrides, env);
  if (!reloaded.ok()) {
    spdlog::error("reload failed, keeping the running configuration: {}",
                  reloaded.status().message());
    return;
  }
  for (const std::string& key : KeysNeedingRestart(config_, *reloaded)) {
    spdlog::warn("reload: {} changed; it takes effect only after a restart", key);
  }
  SetLogLevel(reloaded->log_level);
  store_->SetRetentionPolicy(RetentionPolicyOf(*reloaded));
  if (QuotaLimitsOf(*reloaded) != QuotaLimitsOf(config_)) {
    if (Status fits = quota_->CheckLimits(QuotaLimitsOf(*reloaded)); !fits.ok()) {
      spdlog::error("reload: keeping the running disk quota: {}", fits.message());
    } else {
      quota_->SetLimits(QuotaLimitsOf(*reloaded));
      config_.max_bytes = reloaded->max_bytes;
      config_.min_free = reloaded->min_free;
    }
  }
  settings_.Set(ReloadableSettings{reloaded->labels, reloaded->subscriptions, reloaded->log_level,
                                   reloaded->priorities});
  bandwidth_->Apply(reloaded->bandwidth);  // the limits in force change now; links stay up
  network_->replicator().UpdatePriorities(reloaded->priorities);
  // Wider subscriptions or new labels make replication read every peer's log again.
  if (Status s = network_->replicator().UpdateSelection(reloaded->subscriptions, reloaded->labels); !s.ok())
    spdlog::error("reload: applying subscriptions and labels to replication: {}", s.ToString());
  if (Status declared = deployments_->Declare(DeclaredDeployments(*reloaded)); !declared.ok())
    spdlog::error("reload: [[deploy]]: {}", declared.message());
  spdlog::info("reloaded configuration (log level {}, {} labels, {} subscriptions)",
               reloaded->log_level, reloaded->labels.size(), reloaded->subscriptions.size());
  notifier_.Status("serving on " + config_.control_socket.string() + " (reloaded)");
}

void Daemon::BeginShutdown() {
  if (stopping_) return;
  stopping_ = true;
  notifier_.Stopping("stopping: finishing in-flight requests");
  server_->BeginShutdown();
  PollShutdown(std::chrono::steady_clock::now() + kShutdownGrace);
}

void Daemon::PollShutdown(std::chrono::steady_clock::time_point deadline) {
  bool idle = server_->Idle();
  if (!idle && std::chrono::steady_clock::now() < deadline) {
    shutdown_timer_.expires_after(kShutdownPoll);
    shutdown_timer_.async_wait([this, deadline](boost::system::error_code ec) {
      if (!ec) PollShutdown(deadline);
    });
    return;
  }
  if (!idle) {
    spdlog::warn("closing control connections still open after {}s",
                 std::chrono::duration_cast<std::chrono::seconds>(kShutdownGrace).count());
    server_->ForceClose();
  }
  // Nothing else keeps the io_context running: its threads return once the sockets are closed.
  network_->ShutdownTransport();  // flushes and closes peer links, stops dialers
  join_server_.reset();           // a join in flight is cut off
  status_->Stop();                // closes status clients, stops the feed's sampling
  signals_.cancel();
  watchdog_timer_.cancel();
  pin_renew_timer_.cancel();
  gc_timer_.cancel();
  checkpoint_timer_.cancel();
  idle_timer_.cancel();
  credential_timer_.cancel();
  limits_timer_.cancel();
  peer_listener_.reset();
  http_listener_.reset();
}

void Daemon::ScheduleWatchdog(std::chrono::microseconds interval) {
  notifier_.WatchdogPing();
  watchdog_timer_.expires_after(interval);
  watchdog_timer_.async_wait([this, interval](boost::system::error_code ec) {
    if (!ec && !stopping_) ScheduleWatchdog(interval);
  });
}

void Daemon::SchedulePinRenewal() {
  pin_renew_timer_.expires_after(CheckoutPins::kRenewInterval);
  pin_renew_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    pools_->TryPost(CommandLane::kQuick, [pins = pins_.get()] { pins->RenewAll(); });
    SchedulePinRenewal();
  });
}

// Space held by versions beyond retention, expired pins and abandoned transfers comes back on
// this period (and on demand with `edgesync gc`).
constexpr std::chrono::minutes kGcInterval{10};

// Once the store has seen no commit and replication no transfer for a whole period, memtables
// are written out and freed pages go back to the system: an idle edge node holds little memory
// however much it ingested.
constexpr std::chrono::seconds kIdleMemoryPeriod{2};

void Daemon::ScheduleIdleMemoryRelease(uint64_t last_seq, bool released) {
  idle_timer_.expires_after(kIdleMemoryPeriod);
  idle_timer_.async_wait([this, last_seq, released](boost::system::error_code ec) {
    if (ec || stopping_) return;
    const uint64_t seq = store_->LastSeq();
    const bool quiet = seq == last_seq && network_->replicator().ActiveTransfers() == 0;
    if (quiet && !released) {
      pools_->TryPost(CommandLane::kBulk, [store = store_.get()] {
        if (Status s = store->FlushMemTables(); !s.ok()) spdlog::warn("releasing idle memory: {}", s.ToString());
        malloc_trim(0);
      });
    }
    ScheduleIdleMemoryRelease(seq, quiet);
  });
}

// The certificate and CRL dates are looked at again twice a day, so a node that runs for weeks
// warns in its log when the 14 days before expiry begin.
void Daemon::ScheduleCredentialCheck() {
  if (!credentials_) return;
  credential_timer_.expires_after(std::chrono::hours(12));
  credential_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    credentials_->Check();
    ScheduleCredentialCheck();
  });
}

// The schedule's limits are evaluated every second (an edge takes effect within a second, and a
// clock stepped by NTP or a test is followed); a change is logged.
void Daemon::ScheduleLimitsRefresh(const limits::LimitsInForce& previous) {
  const limits::LimitsInForce now = bandwidth_->Refresh();
  if (now.send != previous.send || now.recv != previous.recv || now.window != previous.window) {
    const limits::BandwidthConfig config = bandwidth_->Current().config;
    spdlog::info("bandwidth: send {}, receive {} in force ({}){}", limits::FormatRate(now.send),
                 limits::FormatRate(now.recv),
                 now.window < 0 ? std::string("node-wide") : "schedule window " + config.schedule[now.window].Describe(),
                 now.until ? " until " + limits::LocalTimeText(*now.until) : std::string());
  }
  limits_timer_.expires_after(std::chrono::seconds(1));
  limits_timer_.async_wait([this, now](boost::system::error_code ec) {
    if (ec || stopping_) return;
    ScheduleLimitsRefresh(now);
  });
}

std::optional<StartupError> Daemon::StartDiskQuota() {
  DiskQuota::Options options;
  options.limits = QuotaLimitsOf(config_);
  options.store_dir = config_.data_dir / "store";
  options.peer_holds = [this](const std::string& key, const std::string& version_id) {
    if (!network_) return false;
    for (const replication::PeerHolding& h : network_->replicator().Holding(key, version_id))
      if (h.connected && h.holds) return true;
    return false;
  };
  options.log = LogQuota;
  quota_ = std::make_unique<DiskQuota>(*store_, std::move(options));
  if (Status fits = quota_->CheckLimits(QuotaLimitsOf(config_)); !fits.ok())
    return StartupError{kExitConfig, "configuration error: " + fits.message()};
  store_->AddChangeListener([quota = quota_.get()](const Change& change) { quota->Committed(change.key); });
  refetch_ = std::make_unique<EvictedRefetch>(
      *store_, *quota_,
      [this](const std::string& key, const VersionRecord& record, std::function<void(Status)> done) -> Status {
        if (!network_ || !network_->networking()) return Status::FailedPrecondition("replication is off");
        return network_->replicator().Refetch(key, record, std::move(done));
      });
  store_->SetVersionReadHook([refetch = refetch_.get()](const VersionInfo& v, bool evicted, const GetOptions& o) {
    return refetch->OnRead(v, evicted, o);
  });
  return std::nullopt;
}

void Daemon::RefreshRetentionHolds() {
  if (Status s = retention_holds_->Refresh(); !s.ok()) spdlog::warn("retention holds: {}", s.ToString());
}

// `edgesync cluster reload`: what SIGHUP does to the TLS files, answering with what it closed.
void Daemon::RegisterClusterReload() {
  dispatcher_.Register("cluster.reload", CommandLane::kQuick,
                       [this](const nlohmann::json&, CommandContext&) -> Result<nlohmann::json> {
                         if (!credentials_)
                           return Status::FailedPrecondition(
                               "this node has no TLS identity to reload (replication off, or the "
                               "plaintext test mode)");
                         return credentials_->Reload(*network_);
                       });
}

void Daemon::ScheduleGarbageCollection() {
  gc_timer_.expires_after(kGcInterval);
  gc_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    pools_->TryPost(CommandLane::kBulk, [store = store_.get(), feed = &status_->feed(),
                                         max_offline_ms = config_.max_offline_ms] {
      auto result = CollectGarbageNow(*store, max_offline_ms);
      if (result.ok()) feed->OnGarbageCollected(result->gc);
      if (!result.ok()) spdlog::error("garbage collection: {}", result.status().ToString());
      else if (!result->purged_keys.empty() || result->versions_dropped > 0 || result->gc.chunks_deleted + result->gc.manifests_deleted > 0)
        spdlog::info("garbage collection: {}", CollectionJson(*result).dump());
    });
    ScheduleGarbageCollection();
  });
}

// A tiered store's metadata goes to the bucket periodically (and once more at shutdown), so a
// node whose disk is lost can be restored with --restore-from.
void Daemon::ScheduleTierCheckpoint() {
  if (!tiered_) return;
  checkpoint_timer_.expires_after(std::chrono::milliseconds(config_.tier_checkpoint_ms));
  checkpoint_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    pools_->TryPost(CommandLane::kBulk, [store = store_.get()] {
      Result<bool> saved = store->CheckpointTier();
      if (!saved.ok()) spdlog::error("chunk tier checkpoint: {}", saved.status().ToString());
      else if (*saved) spdlog::debug("chunk tier checkpoint uploaded");
    });
    ScheduleTierCheckpoint();
  });
}

}  // namespace

int RunDaemon(const DaemonInvocation& invocation) {
  ::signal(SIGPIPE, SIG_IGN);
  ProcessEnvironment env = ProcessEnvironment::FromProcess();
  Result<DaemonConfig> config =
      LoadDaemonConfig(invocation.config_file, invocation.overrides, env);
  if (!config.ok()) {
    PrintStartupError({kExitConfig, "configuration error: " + config.status().message()});
    return kExitConfig;
  }
  if (invocation.check_config_only) {
    std::printf("configuration ok: node %s, data %s, socket %s, http %s, peers %s\n",
                config->node_name.c_str(), config->data_dir.c_str(),
                config->control_socket.c_str(), config->http_status.ToString().c_str(),
                config->peer_listen.ToString().c_str());
    return kExitOk;
  }
  InitLogging(config->log_level);
  Daemon daemon(std::move(*config), invocation);
  if (auto error = daemon.Start()) {
    PrintStartupError(*error);
    return error->exit_code;
  }
  return daemon.Run();
}

}  // namespace edgesync
