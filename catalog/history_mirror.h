// HistoryMirror: a git repository that mirrors the store's change log as readable files.
//
// Exists so operators can browse what changed with stock `git log` / `git show`. It is a
// projection of ChangesSince with its own checkpoint, kept off the write path: Sync() (called
// by the daemon, or by the background thread a change listener wakes) turns all changes past
// the checkpoint into one commit per batch, and writes the new checkpoint in that same commit
// (`.edgesync/checkpoint.json`), so a crash at any point is caught up by the next Sync.
// Layout (a bare repository, e.g. <data>/history.git):
//   models/<ns>/<xx>/<name>/{spec.json,files.txt,version.json}
//   datasets/<ns>/<xx>/<name>/{spec.json,stats.json,files.txt,version.json}
//   meta/<ns>/<xx>/<name>/{spec.json,document.json,version.json}
// where <xx> is the first two hex digits of SHA-256(name) and <ns> is `_` for keys without a
// namespace (a namespace starting with `_` gets one more `_`). Safe for concurrent access.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "store/object_key.h"
#include "base/status.h"
#include "store/store.h"

namespace edgesync {

struct HistoryMirrorOptions {
  std::filesystem::path path;           // the bare repository; created when missing
  size_t max_changes_per_commit = 1000;
  // Background mode: how long to wait after a change so that bursts share a commit.
  std::chrono::milliseconds batch_delay{500};
  std::function<void(const std::string&)> log_warning;  // background sync failures
};

class HistoryMirror {
 public:
  // REQUIRES: `store` outlives the mirror.
  static Result<std::unique_ptr<HistoryMirror>> Open(Store& store, HistoryMirrorOptions options);
  ~HistoryMirror();
  HistoryMirror(const HistoryMirror&) = delete;
  HistoryMirror& operator=(const HistoryMirror&) = delete;

  // Mirrors every change past the checkpoint; returns how many changes were mirrored.
  Result<uint64_t> Sync();
  // Starts the thread that calls Sync after changes; stopped by the destructor.
  void StartBackground();
  // The change-log sequence number mirrored so far (as recorded in the repository).
  Result<uint64_t> Checkpoint();

  // Directory of a key inside the repository, e.g. "models/vision/3f/helmet".
  static std::string KeyDir(const ObjectKey& key);

 private:
  struct Repo;
  struct Wake {
    Mutex mu;
    CondVar cv;
    bool pending GUARDED_BY(mu) = false;
    bool stop GUARDED_BY(mu) = false;
  };
  HistoryMirror(Store& store, HistoryMirrorOptions options, std::unique_ptr<Repo> repo);
  void RunBackground();

  Store& store_;
  const HistoryMirrorOptions options_;
  Mutex sync_mu_;  // serializes Sync
  std::unique_ptr<Repo> repo_ PT_GUARDED_BY(sync_mu_);
  std::shared_ptr<Wake> wake_;  // shared with the store's change listener
  std::thread thread_;
};

}  // namespace edgesync
