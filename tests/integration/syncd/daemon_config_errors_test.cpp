// Bad configuration exits 78 (EX_CONFIG) with exactly one line naming the problem; bad flags
// exit 2. Never starts half-configured: no socket appears.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon_fixture.h"
#include "base/exit_codes.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;

class DaemonConfigErrorsTest : public DaemonFixture {
 protected:
  ProcessResult RunDaemon(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {EDGESYNCD_BIN, "--data-dir", data_dir().string(),
                                     "--http-status", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, std::chrono::seconds(20),
                      {"NOTIFY_SOCKET=", "RUNTIME_DIRECTORY=", "CONFIGURATION_DIRECTORY="});
  }
  void ExpectConfigError(const ProcessResult& result, const std::string& mention) {
    EXPECT_EQ(result.exit_code, kExitConfig) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find(mention), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(socket_path()));
  }
  fs::path Config(const std::string& text) {
    fs::path file = root() / "edgesync.toml";
    WriteFileText(file, text);
    return file;
  }
};

TEST_F(DaemonConfigErrorsTest, UnknownKey) {
  ExpectConfigError(RunDaemon({"--config", Config("[node]\nnmae = \"x\"\n").string()}),
                    "unknown key 'node.nmae'");
  ExpectConfigError(RunDaemon({"--config", Config("[nodes]\nname = \"x\"\n").string()}),
                    "unknown key 'nodes'");
}

TEST_F(DaemonConfigErrorsTest, WrongType) {
  ExpectConfigError(RunDaemon({"--config", Config("[chunking]\nmin = true\n").string()}),
                    "chunking.min");
  ExpectConfigError(RunDaemon({"--config", Config("[sync]\nsubscriptions = \"*\"\n").string()}),
                    "sync.subscriptions");
  ExpectConfigError(RunDaemon({"--config", Config("[log]\nlevel = \"loud\"\n").string()}),
                    "loud");
}

TEST_F(DaemonConfigErrorsTest, BadRatesWindowsAndClasses) {
  ExpectConfigError(RunDaemon({"--config", Config("[network]\nmax_send_rate = \"2MB\"\n").string()}),
                    "edgesync.toml:2: key 'network.max_send_rate': rate '2MB'");
  ExpectConfigError(RunDaemon({"--max-recv-rate", "lots"}), "--max-recv-rate: rate 'lots'");
  ExpectConfigError(RunDaemon({"--config", Config("[[network.rate_schedule]]\ndays = \"mon-fri\"\n"
                                                  "from = \"08:00\"\nto = \"18:00\"\nsend = \"1MiB/s\"\n"
                                                  "[[network.rate_schedule]]\ndays = \"daily\"\n"
                                                  "from = \"17:00\"\nto = \"19:00\"\n").string()}),
                    "windows 1 (mon-fri 08:00-18:00) and 2 (daily 17:00-19:00) overlap");
  ExpectConfigError(RunDaemon({"--priority", "dataset/*=later"}), "unknown priority class 'later'");
}

TEST_F(DaemonConfigErrorsTest, SyntaxErrorNamesLine) {
  ExpectConfigError(RunDaemon({"--config", Config("[node]\nname = \n").string()}),
                    "edgesync.toml:2");
}

TEST_F(DaemonConfigErrorsTest, UnwritableDataDir) {
  MakeFile(root() / "plain-file", "x");
  ProcessResult result = RunProcess({EDGESYNCD_BIN, "--data-dir",
                                     (root() / "plain-file" / "data").string(), "--control-socket",
                                     (root() / "c.sock").string(), "--http-status", "off"});
  EXPECT_EQ(result.exit_code, kExitConfig) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("data directory"), std::string::npos) << result.err;
}

TEST_F(DaemonConfigErrorsTest, PortInUse) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  ExpectConfigError(RunDaemon({"--http-status", address}), "network.http_status");
  ExpectConfigError(RunDaemon({"--peer-listen", address}), "network.peer_listen");
  close(fd);
}

TEST_F(DaemonConfigErrorsTest, SocketPathTooLong) {
  std::string long_path = "/tmp/" + std::string(120, 's') + "/control.sock";
  ExpectConfigError(RunDaemon({"--control-socket", long_path}), "unix socket path");
}

TEST_F(DaemonConfigErrorsTest, BadValuesAndFlags) {
  ExpectConfigError(RunDaemon({"--chunk-avg", "100KiB"}), "chunking");
  ExpectConfigError(RunDaemon({"--label", "no-equals-sign"}), "--label");
  ExpectConfigError(RunDaemon({"--http-status", "localhost"}), "--http-status");
  ProcessResult bad_flag = RunDaemon({"--no-such-flag"});
  EXPECT_EQ(bad_flag.exit_code, kExitUsage) << bad_flag.err;
}

TEST_F(DaemonConfigErrorsTest, RetentionAndQuotaValues) {
  ExpectConfigError(RunDaemon({"--max-bytes", "lots"}), "--max-bytes");
  ExpectConfigError(RunDaemon({"--min-free", "120%"}), "--min-free");
  ExpectConfigError(RunDaemon({"--keep-versions", "0"}), "--keep-versions");
  ExpectConfigError(
      RunDaemon({"--config", Config("[[storage.retention]]\nglob = \"model/[x\"\nkeep_versions = 2\n").string()}),
      "without its ']'");
  ExpectConfigError(RunDaemon({"--config", Config("[storage]\nkeep_for = \"soon\"\n").string()}),
                    "storage.keep_for");
}

TEST_F(DaemonConfigErrorsTest, AQuotaBelowWhatCannotBeEvictedRefusesToStart) {
  StartDaemon();
  MakeFile(root() / "model" / "weights.bin", std::string(2 << 20, 'w'));
  ProcessResult put = Cli({"put", "model/local", (root() / "model").string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  ASSERT_EQ(StopDaemon(), 0);
  ExpectConfigError(RunDaemon({"--max-bytes", "1MiB"}), "storage.max_bytes leaves 1.0 MiB");
}

TEST_F(DaemonConfigErrorsTest, SecondDaemonOnSameSocketRefused) {
  StartDaemon();
  ProcessResult second = RunProcess({EDGESYNCD_BIN, "--data-dir", (root() / "other").string(),
                                     "--control-socket", socket_path().string(), "--http-status",
                                     "127.0.0.1:0"});
  EXPECT_EQ(second.exit_code, kExitConfig) << second.err;
  EXPECT_NE(second.err.find("another daemon"), std::string::npos) << second.err;
  EXPECT_TRUE(daemon().running());
}

}  // namespace
}  // namespace edgesync::testing
