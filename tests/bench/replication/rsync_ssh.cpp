#include "tests/bench/replication/rsync_ssh.h"

#include <pwd.h>
#include <unistd.h>

#include <iostream>
#include <vector>

#include "tests/bench/replication/rsync_daemon.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {

namespace fs = std::filesystem;

namespace {

// ssh's options for the bench's connections: the temporary key, the cipher under test, and no
// prompts or known-hosts file (the host key is new each run).
std::vector<std::string> SshOptions(const fs::path& dir, uint16_t port) {
  return {"-p", std::to_string(port), "-i", (dir / "client_key").string(), "-c", "aes128-gcm@openssh.com",
          "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
          "-o", "LogLevel=ERROR"};
}

bool MakeKey(const fs::path& path) {
  return RunProcess({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path.string()},
                    std::chrono::seconds(30))
             .exit_code == 0;
}

}  // namespace

RsyncOverSsh::RsyncOverSsh(const fs::path& dir) : dir_(dir), port_(FreeLoopbackPort()) {
  const passwd* pw = ::getpwuid(::getuid());
  user_ = pw ? pw->pw_name : "root";
  if (!MakeKey(dir_ / "host_key") || !MakeKey(dir_ / "client_key")) {
    std::cerr << "rsync over ssh: ssh-keygen failed\n";
    return;
  }
  fs::copy_file(dir_ / "client_key.pub", dir_ / "authorized_keys", fs::copy_options::overwrite_existing);
  std::error_code ec;
  fs::create_directories("/run/sshd", ec);  // sshd's privilege separation directory
  WriteFileText(dir_ / "sshd_config",
                "ListenAddress 127.0.0.1\nPort " + std::to_string(port_) + "\nHostKey " +
                    (dir_ / "host_key").string() + "\nAuthorizedKeysFile " + (dir_ / "authorized_keys").string() +
                    "\nPidFile " + (dir_ / "sshd.pid").string() +
                    "\nAllowUsers " + user_ +
                    "\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
                    "PermitRootLogin prohibit-password\nStrictModes no\nCiphers aes128-gcm@openssh.com\n"
                    "Subsystem sftp internal-sftp\n");
  process_ = std::make_unique<BackgroundProcess>(
      std::vector<std::string>{"/usr/sbin/sshd", "-D", "-e", "-f", (dir_ / "sshd_config").string()},
      dir_ / "sshd.out", dir_ / "sshd.err");
  std::vector<std::string> probe = {"/usr/bin/ssh"};
  for (auto& o : SshOptions(dir_, port_)) probe.push_back(o);
  probe.push_back(user_ + "@127.0.0.1");
  probe.push_back("true");
  PollUntil([&] { return RunProcess(probe, std::chrono::seconds(10)).exit_code == 0; },
            std::chrono::seconds(15));
}

double RsyncOverSsh::Push(const fs::path& source, const fs::path& dest) {
  std::string shell = "/usr/bin/ssh";
  for (auto& o : SshOptions(dir_, port_)) shell += " " + o;
  auto start = std::chrono::steady_clock::now();
  ProcessResult result = RunProcess({"/usr/bin/rsync", "-a", "-e", shell, source.string(),
                                     user_ + "@127.0.0.1:" + dest.string() + "/"},
                                    std::chrono::minutes(10));
  if (result.exit_code != 0) {
    std::cerr << "rsync over ssh failed: " << result.err << "\n";
    return -1;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace edgesync::testing
