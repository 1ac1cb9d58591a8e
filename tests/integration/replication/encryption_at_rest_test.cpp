// Encryption at rest with real daemons: two encrypted nodes, each under its own key, replicate
// a model and a metadata document, and no file of either store holds their plaintext; a wrong
// key, no key or a key file others may read stop the daemon with exit 78 and change nothing;
// `edgesync store rekey` rotates the key while the daemon serves.
#include <map>

#include "base/exit_codes.h"
#include "tests/support/cluster_fixture.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kMarker[] = "EDGESYNC-AT-REST-MARKER-91d2";

class EncryptionAtRestTest : public ClusterFixture {
 protected:
  // A key file of 64 hex digits, readable only by its owner.
  fs::path KeyFile(const std::string& name, char digit) {
    const fs::path file = root() / "keys" / name;
    MakeFile(file, std::string(64, digit) + "\n", fs::perms::owner_read | fs::perms::owner_write);
    return file;
  }
  static std::vector<std::string> Encrypted(const fs::path& key_file) {
    return {"--encryption", "on", "--encryption-key-file", key_file.string()};
  }
  // edgesyncd on `node`'s data dir with `args`, run to its exit.
  static ProcessResult RunDaemon(const TestNode& node, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {EDGESYNCD_BIN, "--data-dir", node.data_dir.string(), "--node-name",
                                     node.name,     "--http-status", "off"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, std::chrono::seconds(30),
                      {"XDG_RUNTIME_DIR=", "RUNTIME_DIRECTORY=", "STATE_DIRECTORY=", "CONFIGURATION_DIRECTORY=",
                       "NOTIFY_SOCKET=", "CREDENTIALS_DIRECTORY="});
  }
  // Files under `dir` whose bytes contain `needle`.
  static std::vector<std::string> FilesHolding(const fs::path& dir, const std::string& needle) {
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
      if (entry.is_regular_file() && ReadFileText(entry.path()).find(needle) != std::string::npos)
        found.push_back(entry.path().string());
    return found;
  }
  // Every file under `dir` by name, with its bytes.
  static std::map<std::string, std::string> Snapshot(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
      if (entry.is_regular_file()) files[entry.path().string()] = ReadFileText(entry.path());
    return files;
  }
  // A model whose chunk bytes and one file name carry the marker.
  fs::path MarkedModel() {
    const fs::path src = root() / "model";
    std::string weights(5 << 20, '\0');
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (char& c : weights) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      c = static_cast<char>(x >> 56);
    }
    for (size_t at = 0; at + sizeof kMarker < weights.size(); at += 256 << 10) weights.replace(at, sizeof kMarker - 1, kMarker);
    MakeFile(src / "weights.bin", weights);
    MakeFile(src / (std::string(kMarker) + ".labels.txt"), std::string("helmet\n") + kMarker + "\n");
    return src;
  }
};

TEST_F(EncryptionAtRestTest, EncryptedNodesReplicateAndKeepNoPlaintextOnDisk) {
  const fs::path ca = MakeCa("ca", "enc-1");
  TestNode& cloud = AddNode("cloud-1", ca, "cloud");
  TestNode& edge = AddNode("edge-1", ca, "edge");
  Start(cloud, {}, Encrypted(KeyFile("cloud.key", 'c')));
  Start(edge, {&cloud}, Encrypted(KeyFile("edge.key", 'e')));

  const fs::path src = MarkedModel();
  ProcessResult put = Cli(cloud, {"put", "model/helmet", src.string()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  ProcessResult meta = Cli(cloud, {"meta", "set", "meta/site", std::string("note=\"") + kMarker + "\""});
  ASSERT_EQ(meta.exit_code, 0) << meta.err;

  fs::path out;
  ASSERT_TRUE(WaitForGet(edge, "model/helmet", &out)) << ReadFileText(edge.log());
  EXPECT_EQ(ReadFileText(out / "weights.bin"), ReadFileText(src / "weights.bin"));
  EXPECT_EQ(ReadFileText(out / (std::string(kMarker) + ".labels.txt")),
            ReadFileText(src / (std::string(kMarker) + ".labels.txt")));
  json doc;
  ASSERT_TRUE(PollUntil([&] {
    doc = CliJson(edge, {"meta", "get", "meta/site"});
    return doc.dump().find(kMarker) != std::string::npos;
  })) << doc;

  // Stopped, so nothing is left only in memory: WAL, SST, MANIFEST, LOG and data-key files alike.
  ASSERT_EQ(Stop(cloud), 0);
  ASSERT_EQ(Stop(edge), 0);
  EXPECT_EQ(FilesHolding(cloud.data_dir / "store", kMarker), std::vector<std::string>{});
  EXPECT_EQ(FilesHolding(edge.data_dir / "store", kMarker), std::vector<std::string>{});
  EXPECT_TRUE(fs::exists(cloud.data_dir / "store" / "data-key"));
}

TEST_F(EncryptionAtRestTest, WrongKeyNoKeyOrOpenKeyFileExit78AndChangeNothing) {
  const fs::path ca = MakeCa("ca", "enc-2");
  TestNode& node = AddNode("edge-2", ca, "edge");
  const fs::path key = KeyFile("right.key", '1');
  Start(node, {}, Encrypted(key));
  ASSERT_EQ(Cli(node, {"put", "model/helmet", MarkedModel().string()}).exit_code, 0);
  ASSERT_EQ(Stop(node), 0);
  const auto before = Snapshot(node.data_dir / "store");

  const fs::path wrong = KeyFile("wrong.key", '2');
  ProcessResult refused = RunDaemon(node, Encrypted(wrong));
  EXPECT_EQ(refused.exit_code, kExitConfig) << refused.err;
  EXPECT_NE(refused.err.find("storage.encryption: the key in " + wrong.string() +
                             " does not open this store (wrong key?)"),
            std::string::npos)
      << refused.err;

  ProcessResult unkeyed = RunDaemon(node, {});
  EXPECT_EQ(unkeyed.exit_code, kExitConfig) << unkeyed.err;
  EXPECT_NE(unkeyed.err.find("is encrypted; set storage.encryption = \"on\""), std::string::npos) << unkeyed.err;

  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  ProcessResult open_file = RunDaemon(node, Encrypted(key));
  EXPECT_EQ(open_file.exit_code, kExitConfig) << open_file.err;
  EXPECT_NE(open_file.err.find("has mode 0640"), std::string::npos) << open_file.err;
  EXPECT_EQ(open_file.err.find(std::string(64, '1')), std::string::npos) << "the key is printed";

  EXPECT_EQ(Snapshot(node.data_dir / "store"), before);
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  Start(node, {}, Encrypted(key));
  fs::path out;
  EXPECT_TRUE(WaitForGet(node, "model/helmet", &out)) << ReadFileText(node.log());
}

TEST_F(EncryptionAtRestTest, RekeyWhileServingThenOnlyTheNewKeyOpensTheStore) {
  const fs::path ca = MakeCa("ca", "enc-3");
  TestNode& node = AddNode("edge-3", ca, "edge");
  const fs::path old_key = KeyFile("old.key", 'a'), new_key = KeyFile("new.key", 'b');
  Start(node, {}, Encrypted(old_key));
  const std::string old_id = CliJson(node, {"status"})["store"].value("encryption_key_id", "");
  EXPECT_EQ(old_id.size(), 16u);
  const fs::path src = MarkedModel();
  ASSERT_EQ(Cli(node, {"put", "model/helmet", src.string()}).exit_code, 0);

  ProcessResult rekey = Cli(node, {"store", "rekey", "--key-file", new_key.string()});
  ASSERT_EQ(rekey.exit_code, 0) << rekey.err;
  EXPECT_NE(rekey.out.find("rekeyed: key id "), std::string::npos) << rekey.out;
  EXPECT_EQ(rekey.out.find(std::string(64, 'b')), std::string::npos);
  const std::string new_id = CliJson(node, {"status"})["store"].value("encryption_key_id", "");
  EXPECT_EQ(new_id.size(), 16u);
  EXPECT_NE(new_id, old_id);
  EXPECT_NE(rekey.out.find(old_id + " -> " + new_id), std::string::npos) << rekey.out;
  // The running daemon reads and writes on under the same data key.
  fs::path out;
  ASSERT_TRUE(WaitForGet(node, "model/helmet", &out));
  EXPECT_EQ(ReadFileText(out / "weights.bin"), ReadFileText(src / "weights.bin"));
  ASSERT_EQ(Cli(node, {"put", "model/vest", src.string()}).exit_code, 0);
  ASSERT_EQ(Stop(node), 0);

  ProcessResult old_refused = RunDaemon(node, Encrypted(old_key));
  EXPECT_EQ(old_refused.exit_code, kExitConfig) << old_refused.err;
  EXPECT_NE(old_refused.err.find("does not open this store (wrong key?)"), std::string::npos) << old_refused.err;
  Start(node, {}, Encrypted(new_key));
  EXPECT_TRUE(WaitForGet(node, "model/helmet", &out)) << ReadFileText(node.log());
  EXPECT_TRUE(WaitForGet(node, "model/vest", &out)) << ReadFileText(node.log());
}

TEST_F(EncryptionAtRestTest, RekeyOfAPlaintextStoreIsRefused) {
  const fs::path ca = MakeCa("ca", "enc-4");
  TestNode& node = AddNode("edge-4", ca, "edge");
  Start(node);
  EXPECT_EQ(CliJson(node, {"status"})["store"].value("encryption_key_id", "?"), "");
  ProcessResult rekey = Cli(node, {"store", "rekey", "--key-file", KeyFile("k.key", 'c').string()});
  EXPECT_NE(rekey.exit_code, 0);
  EXPECT_NE(rekey.err.find("is not encrypted"), std::string::npos) << rekey.err;
}

}  // namespace
}  // namespace edgesync::testing
