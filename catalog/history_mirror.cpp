#include "catalog/history_mirror.h"

#include <algorithm>
#include <deque>
#include <map>
#include <vector>

#include <git2.h>
#include <nlohmann/json.hpp>

#include "catalog/latest_head.h"
#include "store/sha256.h"

namespace edgesync {

using json = nlohmann::json;

namespace {

constexpr const char* kCheckpointPath = ".edgesync/checkpoint.json";
constexpr const char* kRef = "refs/heads/main";
constexpr size_t kMaxListedKeys = 200;

template <typename T, void (*Free)(T*)>
struct GitPtr {
  T* p = nullptr;
  GitPtr() = default;
  GitPtr(const GitPtr&) = delete;
  GitPtr& operator=(const GitPtr&) = delete;
  ~GitPtr() { if (p) Free(p); }
  T** out() { return &p; }
};
using TreePtr = GitPtr<git_tree, git_tree_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using EntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using SigPtr = GitPtr<git_signature, git_signature_free>;
using BuilderPtr = GitPtr<git_treebuilder, git_treebuilder_free>;

Status GitError(const std::string& what) {
  const git_error* e = git_error_last();
  return Status::IoError("history mirror: " + what + ": " + (e && e->message ? e->message : "unknown error"));
}

std::string SafeSignatureName(std::string s) {
  for (char& c : s)
    if (c == '<' || c == '>' || c == '\n' || c == '\0') c = '_';
  return s.empty() ? "edgesync" : s;
}

}  // namespace

struct HistoryMirror::Repo {
  git_repository* repo = nullptr;
  ~Repo() {
    if (repo) git_repository_free(repo);
    git_libgit2_shutdown();
  }

  // The tree of the branch head, or an empty tree for a new repository.
  Status HeadTree(TreePtr* tree, CommitPtr* commit) {
    git_oid oid;
    int rc = git_reference_name_to_id(&oid, repo, kRef);
    if (rc == 0) {
      if (git_commit_lookup(commit->out(), repo, &oid) != 0) return GitError("reading head commit");
      if (git_commit_tree(tree->out(), commit->p) != 0) return GitError("reading head tree");
      return Status::Ok();
    }
    if (rc != GIT_ENOTFOUND) return GitError("reading " + std::string(kRef));
    return EmptyTree(tree);
  }

  Status EmptyTree(TreePtr* tree) {
    BuilderPtr bld;
    git_oid empty;
    if (git_treebuilder_new(bld.out(), repo, nullptr) != 0 || git_treebuilder_write(&empty, bld.p) != 0 ||
        git_tree_lookup(tree->out(), repo, &empty) != 0)
      return GitError("creating the empty tree");
    return Status::Ok();
  }

  Result<json> ReadCheckpoint(git_tree* tree) {
    EntryPtr entry;
    if (git_tree_entry_bypath(entry.out(), tree, kCheckpointPath) != 0) return json::object();
    BlobPtr blob;
    if (git_blob_lookup(blob.out(), repo, git_tree_entry_id(entry.p)) != 0)
      return GitError("reading the checkpoint");
    std::string_view text(static_cast<const char*>(git_blob_rawcontent(blob.p)),
                          static_cast<size_t>(git_blob_rawsize(blob.p)));
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Status::Corruption("history mirror: " + std::string(kCheckpointPath) + " is not a JSON object");
    return j;
  }

  bool Exists(git_tree* tree, const std::string& path) {
    EntryPtr entry;
    return git_tree_entry_bypath(entry.out(), tree, path.c_str()) == 0;
  }
};

// Collects the tree updates of one commit; owns the path strings the updates point to.
class TreeEdit {
 public:
  explicit TreeEdit(git_repository* repo) : repo_(repo) {}
  Status Write(const std::string& path, const std::string& content) {
    git_oid oid;
    if (git_blob_create_from_buffer(&oid, repo_, content.data(), content.size()) != 0)
      return GitError("writing " + path);
    paths_.push_back(path);
    updates_.push_back({GIT_TREE_UPDATE_UPSERT, oid, GIT_FILEMODE_BLOB, paths_.back().c_str()});
    return Status::Ok();
  }
  void Remove(const std::string& path) {
    paths_.push_back(path);
    updates_.push_back({GIT_TREE_UPDATE_REMOVE, git_oid{}, GIT_FILEMODE_TREE, paths_.back().c_str()});
  }
  Result<git_oid> Apply(git_tree* baseline) {
    git_oid out;
    if (git_tree_create_updated(&out, repo_, baseline, updates_.size(), updates_.data()) != 0)
      return GitError("updating the tree");
    return out;
  }

 private:
  git_repository* repo_;
  std::deque<std::string> paths_;  // stable addresses
  std::vector<git_tree_update> updates_;
};

std::string HistoryMirror::KeyDir(const ObjectKey& key) {
  const char* top = key.kind() == ObjectKind::kModel     ? "models"
                    : key.kind() == ObjectKind::kDataset ? "datasets"
                                                         : "meta";
  std::string ns = key.ns().empty() ? "_" : (key.ns()[0] == '_' ? "_" + key.ns() : key.ns());
  std::string shard = Sha256::HexOf(key.name().data(), key.name().size()).substr(0, 2);
  return std::string(top) + "/" + ns + "/" + shard + "/" + key.name();
}

Result<std::unique_ptr<HistoryMirror>> HistoryMirror::Open(Store& store, HistoryMirrorOptions options) {
  git_libgit2_init();
  auto repo = std::make_unique<Repo>();
  const std::string path = options.path.string();
  if (git_repository_open_bare(&repo->repo, path.c_str()) != 0) {
    git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    init.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
    init.initial_head = "main";
    if (git_repository_init_ext(&repo->repo, path.c_str(), &init) != 0)
      return GitError("creating " + path);
  }
  return std::unique_ptr<HistoryMirror>(new HistoryMirror(store, std::move(options), std::move(repo)));
}

HistoryMirror::HistoryMirror(Store& store, HistoryMirrorOptions options, std::unique_ptr<Repo> repo)
    : store_(store), options_(std::move(options)), repo_(std::move(repo)),
      wake_(std::make_shared<Wake>()) {}

HistoryMirror::~HistoryMirror() {
  {
    MutexLock lock(wake_->mu);
    wake_->stop = true;
  }
  wake_->cv.NotifyAll();
  if (thread_.joinable()) thread_.join();
}

Result<uint64_t> HistoryMirror::Checkpoint() {
  MutexLock lock(sync_mu_);
  TreePtr tree;
  CommitPtr head;
  EDGESYNC_RETURN_IF_ERROR(repo_->HeadTree(&tree, &head));
  auto cp = repo_->ReadCheckpoint(tree.p);
  if (!cp.ok()) return cp.status();
  return cp->value("seq", uint64_t{0});
}

Result<uint64_t> HistoryMirror::Sync() {
  MutexLock lock(sync_mu_);
  uint64_t mirrored = 0;
  for (;;) {
    TreePtr tree;
    CommitPtr head;
    EDGESYNC_RETURN_IF_ERROR(repo_->HeadTree(&tree, &head));
    auto cp = repo_->ReadCheckpoint(tree.p);
    if (!cp.ok()) return cp.status();
    uint64_t seq = cp->value("epoch", "") == store_.epoch() ? cp->value("seq", uint64_t{0}) : 0;
    auto changes = store_.ChangesSince(seq, options_.max_changes_per_commit);
    if (!changes.ok()) return changes.status().WithContext("history mirror");
    if (changes->empty()) return mirrored;

    // A restored or recreated store (new epoch) is mirrored again from an empty tree.
    TreePtr empty;
    git_tree* baseline = tree.p;
    if (seq == 0 && cp->contains("epoch")) {
      EDGESYNC_RETURN_IF_ERROR(repo_->EmptyTree(&empty));
      baseline = empty.p;
    }
    // Latest change per key within the batch.
    std::map<std::string, const Change*> latest;
    for (const auto& c : *changes) latest[c.key] = &c;
    TreeEdit edit(repo_->repo);
    std::string listing;
    size_t listed = 0;
    for (const auto& [key_text, change] : latest) {
      auto key = ObjectKey::Parse(key_text);
      if (!key.ok()) continue;  // the store validated it; nothing readable to write
      const std::string dir = KeyDir(*key);
      const VersionRecord* live = LatestLiveHead(change->heads);
      std::string line = key_text;
      if (!live) {
        if (repo_->Exists(baseline, dir)) edit.Remove(dir);
        line += " deleted";
      } else {
        auto manifest = store_.ReadManifest(live->manifest_id);
        if (!manifest.ok()) return manifest.status().WithContext("history mirror: " + key_text);
        json spec = json::parse(manifest->spec_json, nullptr, false);
        if (spec.is_discarded()) spec = json::object();
        json heads = json::array();
        for (const auto& h : change->heads)
          heads.push_back({{"version", h.Id(key_text)}, {"vector", h.vector.ToString()}, {"hlc", h.hlc},
                           {"author", h.author}, {"deleted", h.tombstone}});
        EDGESYNC_RETURN_IF_ERROR(edit.Write(dir + "/spec.json", spec.dump(2) + "\n"));
        EDGESYNC_RETURN_IF_ERROR(edit.Write(dir + "/version.json",
                                            json{{"seq", change->seq}, {"heads", heads}}.dump(2) + "\n"));
        if (key->kind() != ObjectKind::kMeta) {
          std::string files;
          for (const auto& f : manifest->files) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", f.mode);
            files += std::string(mode) + " " + std::to_string(f.size) + " " + f.sha256 + " " + f.path + "\n";
          }
          EDGESYNC_RETURN_IF_ERROR(edit.Write(dir + "/files.txt", files));
        }
        if (key->kind() == ObjectKind::kDataset && spec.contains("stats"))
          EDGESYNC_RETURN_IF_ERROR(edit.Write(
              dir + "/stats.json", json{{"format", spec.value("format", "")}, {"stats", spec["stats"]}}.dump(2) + "\n"));
        if (key->kind() == ObjectKind::kMeta && spec.contains("fields")) {
          json view = json::object();
          for (const auto& [name, f] : spec["fields"].items())
            if (f.is_object() && f.contains("value") && !f.value("deleted", false)) view[name] = f["value"];
          EDGESYNC_RETURN_IF_ERROR(edit.Write(dir + "/document.json", view.dump(2) + "\n"));
        }
        line += " " + live->Id(key_text);
        if (change->heads.size() > 1) line += " (" + std::to_string(change->heads.size()) + " heads)";
      }
      if (listed++ < kMaxListedKeys) listing += line + "\n";
    }
    if (listed > kMaxListedKeys) listing += "... and " + std::to_string(listed - kMaxListedKeys) + " more\n";
    const uint64_t last = changes->back().seq;
    EDGESYNC_RETURN_IF_ERROR(edit.Write(
        kCheckpointPath, json{{"epoch", store_.epoch()}, {"seq", last}}.dump(2) + "\n"));
    auto tree_id = edit.Apply(baseline);
    if (!tree_id.ok()) return tree_id.status();
    TreePtr new_tree;
    if (git_tree_lookup(new_tree.out(), repo_->repo, &*tree_id) != 0) return GitError("reading new tree");

    SigPtr sig;
    const std::string name = SafeSignatureName(store_.node_id());
    if (git_signature_now(sig.out(), name.c_str(), (name + "@edgesync").c_str()) != 0)
      return GitError("making the signature");
    const std::string message = "edgesync: " + std::to_string(latest.size()) + " keys, changes " +
                                std::to_string(changes->front().seq) + ".." + std::to_string(last) +
                                "\n\n" + listing;
    const git_commit* parents[1] = {head.p};
    git_oid commit_id;
    if (git_commit_create(&commit_id, repo_->repo, kRef, sig.p, sig.p, "UTF-8", message.c_str(),
                          new_tree.p, head.p ? 1 : 0, parents) != 0)
      return GitError("committing");
    mirrored += changes->size();
  }
}

void HistoryMirror::StartBackground() {
  std::weak_ptr<Wake> weak = wake_;
  store_.AddChangeListener([weak](const Change&) {
    if (auto wake = weak.lock()) {
      {
        MutexLock lock(wake->mu);
        wake->pending = true;
      }
      wake->cv.NotifyOne();
    }
  });
  {
    MutexLock lock(wake_->mu);
    wake_->pending = true;  // catch up with whatever happened before (or before a crash)
  }
  thread_ = std::thread([this] { RunBackground(); });
}

void HistoryMirror::RunBackground() {
  Wake& wake = *wake_;
  for (;;) {
    {
      MutexLock lock(wake.mu);
      while (!wake.pending && !wake.stop) wake.cv.Wait(wake.mu);
      if (wake.stop) return;
      // Let a burst of changes accumulate so it lands in one commit.
      const auto deadline = std::chrono::steady_clock::now() + options_.batch_delay;
      while (!wake.stop && wake.cv.WaitUntil(wake.mu, deadline)) {
      }
      if (wake.stop) return;
      wake.pending = false;
    }
    auto result = Sync();
    if (!result.ok() && options_.log_warning) options_.log_warning(result.status().ToString());
  }
}

}  // namespace edgesync
