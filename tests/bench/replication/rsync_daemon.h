// RsyncDaemon: an `rsync --daemon` on 127.0.0.1 (free port, no chroot, one writable module
// `dst` rooted in a directory), the baseline of bench_replication. Stopped (SIGTERM, reaped)
// on destruction. Needs external synchronization.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "tests/support/process_runner.h"

namespace edgesync::testing {

class RsyncDaemon {
 public:
  // REQUIRES: `dir` exists and is empty; `rsync` is on PATH.
  explicit RsyncDaemon(const std::filesystem::path& dir);
  bool running() { return process_ && process_->running(); }
  uint16_t port() const { return port_; }

  // `rsync -a <source> rsync://127.0.0.1:<port>/dst/<dest>/`; returns seconds, or -1 on failure.
  double Push(const std::filesystem::path& source, const std::string& dest);

 private:
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  std::unique_ptr<BackgroundProcess> process_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
uint16_t FreeLoopbackPort();

}  // namespace edgesync::testing
