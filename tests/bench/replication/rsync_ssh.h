// RsyncOverSsh: the baseline a user would pick for an encrypted copy: `rsync` over `ssh` with
// AES-128-GCM into an `sshd` this object starts on 127.0.0.1 (free port, a temporary host key
// and client key, public-key login as the bench's own user only). Stopped (SIGTERM, reaped) on
// destruction. Needs external synchronization.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "tests/support/process_runner.h"

namespace edgesync::testing {

class RsyncOverSsh {
 public:
  // `dir`: a fresh directory for keys, configuration and logs. REQUIRES: /usr/sbin/sshd, ssh,
  // ssh-keygen and rsync installed (scripts/setup.sh).
  explicit RsyncOverSsh(const std::filesystem::path& dir);
  bool running() { return process_ && process_->running(); }

  // `rsync -a -e 'ssh -c aes128-gcm@openssh.com ...' <source> user@127.0.0.1:<dest>/`;
  // returns seconds, or -1 on failure.
  double Push(const std::filesystem::path& source, const std::filesystem::path& dest);

 private:
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  std::string user_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace edgesync::testing
