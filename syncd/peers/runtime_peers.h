// RuntimePeers: the peers added while the daemon runs (`edgesync peers add`), kept in
// <data_dir>/peers.json so they are dialed again after a restart. The config file's
// network.peers stay the source of static peers; this list never holds one of them.
// Thread-safety: safe for concurrent access.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "syncd/daemon_config.h"

namespace edgesync {

class RuntimePeers {
 public:
  // Reads `file` if it exists.
  static Result<std::unique_ptr<RuntimePeers>> Open(std::filesystem::path file);

  std::vector<PeerAddress> List() const;
  // AlreadyExists when listed; the file is rewritten before this returns.
  Status Add(const PeerAddress& peer);
  // NotFound when not listed.
  Status Remove(const PeerAddress& peer);

 private:
  explicit RuntimePeers(std::filesystem::path file) : file_(std::move(file)) {}
  Status Save() REQUIRES(mu_);

  const std::filesystem::path file_;
  mutable Mutex mu_;
  std::vector<PeerAddress> peers_ GUARDED_BY(mu_);
};

}  // namespace edgesync
