// A peer that authenticates correctly and then lies. The victim is a real Replicator over real
// TLS (ReplNode); the liar is a HostilePeer scripted per test; an honest ReplNode keeps writing
// meanwhile and must still reach the victim. Every lie must be refused with a logged reason,
// leave nothing visible and nothing outside the data directory, and keep memory bounded.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <limits>

#include "replication/message_types.h"
#include "replication/messages.h"
#include "replication/write_acl.h"
#include "replication/write_authority.h"
#include "catalog/metadata_document.h"
#include "store/sha256.h"
#include "tests/support/poll_until.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/replication/hostile_peer.h"
#include "tests/unit/replication/repl_node.h"
#include "transport/identity.h"

namespace edgesync::replication {
namespace {

using edgesync::testing::PollUntil;
using edgesync::testing::TempDir;
using testing::HostilePeer;
using testing::ReplNode;
using transport::Lane;

ObjectKey Key(const std::string& s) { return ObjectKey::Parse(s).value(); }

// Resident set size of this process (victim included), in bytes.
uint64_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

// A version the hostile peer offers: record, the manifest bytes it serves and its chunks.
struct Offer {
  std::string key;
  VersionRecord record;
  std::string manifest_bytes;
  std::map<ChunkId, std::string> chunks;  // what it answers per chunk id
};

FileEntry OneChunkFile(const std::string& path, const std::string& content) {
  FileEntry f;
  f.path = path;
  f.size = content.size();
  f.sha256 = Sha256::HexOf(content.data(), content.size());
  f.chunks.push_back({ChunkId::Of(content.data(), content.size()), static_cast<uint32_t>(content.size())});
  return f;
}

VersionRecord RecordFor(const std::string& author, uint64_t counter, const std::string& manifest_bytes) {
  VersionRecord r;
  r.vector = VersionVector(std::map<std::string, uint64_t>{{author, counter}});
  r.hlc = 1000 + counter;
  r.author = author;
  r.manifest_id = ManifestId(manifest_bytes);
  return r;
}

Offer OfferOf(const std::string& key, const std::string& author, const Manifest& m, uint64_t counter = 1) {
  Offer o{key, {}, m.Encode(), {}};
  o.record = RecordFor(author, counter, o.manifest_bytes);
  return o;
}

// Scripts `peer` to announce `offers` once, serve their manifests and answer chunk requests
// from their chunk maps (unknown ids: not found).
void Serve(HostilePeer& peer, std::vector<Offer> offers) {
  auto shared = std::make_shared<std::vector<Offer>>(std::move(offers));
  auto announced = std::make_shared<std::atomic<bool>>(false);
  peer.respond = [&peer, shared, announced](uint32_t type, const std::string& payload) {
    if (type == kChangesRequest) {
      ChangesBatch batch;
      if (!announced->exchange(true))
        for (const auto& o : *shared) batch.changes.push_back({o.key, {o.record}});
      batch.upto = batch.latest = 1;
      peer.Send(Lane::kControl, kChangesBatch, Encode(batch));
    } else if (type == kManifestRequest) {
      const ChunkId id = DecodeManifestRequest(payload).value().manifest_id;
      ManifestReply reply{id, false, {}};
      for (const auto& o : *shared)
        if (o.record.manifest_id == id) reply = {id, true, o.manifest_bytes};
      peer.Send(Lane::kControl, kManifestReply, Encode(reply));
    } else if (type == kChunkRequest) {
      const ChunkRequest request = DecodeChunkRequest(payload).value();
      for (const auto& id : request.ids) {
        ChunkData data{id, false, {}};
        for (const auto& o : *shared)
          if (auto it = o.chunks.find(id); it != o.chunks.end()) data = {id, true, it->second};
        peer.Send(Lane::kBulk, kChunkData, Encode(std::move(data)));
      }
    }
  };
}

class HostilePeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    victim_ = std::make_unique<ReplNode>(pki_, "victim", data_ / "victim");
    honest_ = std::make_unique<ReplNode>(pki_, "honest", data_ / "honest");
    victim_->Start();
    honest_->Start();
    honest_->ConnectTo(*victim_);
  }
  void TearDown() override {
    if (HasFailure())
      for (const auto& line : victim_->log()) std::printf("[victim] %s\n", line.c_str());
    honest_.reset();
    victim_.reset();
  }
  bool VictimLogged(const std::string& needle) {
    for (const auto& line : victim_->log())
      if (line.find(needle) != std::string::npos) return true;
    return false;
  }
  // The honest peer writes `key`; true once the victim has it.
  bool HonestPeerStillSyncs(const std::string& key) {
    auto file = src_ / (key.substr(key.rfind('/') + 1) + ".bin");
    { std::ofstream(file) << "honest bytes for " << key; }
    auto put = honest_->store().Put(Key(key), file, "{}");
    EXPECT_TRUE(put.ok()) << put.status().ToString();
    return PollUntil([&] { return victim_->store().Latest(Key(key)).ok(); });
  }
  // Nothing but the victim's own store landed in the test's directory tree.
  void ExpectNothingWrittenOutsideTheStore() {
    for (const auto& entry : std::filesystem::directory_iterator(data_.path()))
      EXPECT_TRUE(entry.path().filename() == "victim" || entry.path().filename() == "honest") << entry.path();
    EXPECT_FALSE(std::filesystem::exists(data_.path().parent_path() / "escape"));
  }

  transport::testing::TestPki pki_{"test-cluster"};
  TempDir data_, src_;
  std::unique_ptr<ReplNode> victim_, honest_;
};

TEST_F(HostilePeerTest, ChunkBytesThatDoNotMatchTheirIdAreRefused) {
  const std::string content(5000, 'x');
  Manifest m;
  m.files.push_back(OneChunkFile("weights.bin", content));
  Offer o = OfferOf("model/liar", "liar", m);
  o.chunks[m.files[0].chunks[0].id] = std::string(5000, 'y');  // same size, other bytes
  HostilePeer liar(pki_, "liar");
  Serve(liar, {o});
  liar.ConnectTo(victim_->port());
  ASSERT_TRUE(liar.WaitFor(kChunkRequest)) << liar.received(kManifestRequest) << " manifest requests";
  EXPECT_TRUE(PollUntil([&] { return VictimLogged("does not match its id"); }));
  EXPECT_TRUE(victim_->store().Latest(Key("model/liar")).status().IsNotFound());
  EXPECT_FALSE(victim_->store().chunks().Contains(m.files[0].chunks[0].id).value());
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest"));
  ExpectNothingWrittenOutsideTheStore();
}

TEST_F(HostilePeerTest, ChunksThatHashToTheirIdsButFailTheFileShaAreEvicted) {
  // A collision seen from the victim: every chunk matches its XXH3 id, yet the file they make
  // is not the one the manifest's SHA-256 names.
  const std::string a(4000, 'a'), b(3000, 'b');
  FileEntry f;
  f.path = "weights.bin";
  f.size = a.size() + b.size();
  f.sha256 = Sha256::HexOf("something else", 14);
  f.chunks = {{ChunkId::Of(a.data(), a.size()), 4000}, {ChunkId::Of(b.data(), b.size()), 3000}};
  Manifest m;
  m.files.push_back(f);
  Offer o = OfferOf("model/collide", "liar", m);
  o.chunks[f.chunks[0].id] = a;
  o.chunks[f.chunks[1].id] = b;
  HostilePeer liar(pki_, "liar");
  Serve(liar, {o});
  liar.ConnectTo(victim_->port());
  EXPECT_TRUE(PollUntil([&] { return VictimLogged("failed verification"); }));
  EXPECT_TRUE(VictimLogged("evicting 2 chunks"));
  EXPECT_TRUE(victim_->store().Latest(Key("model/collide")).status().IsNotFound());
  for (const auto& c : f.chunks) EXPECT_FALSE(victim_->store().chunks().Contains(c.id).value()) << c.id.Hex();
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest"));
}

// Manifest bytes the honest encoder would never produce (it validates), written by hand.
std::string RawManifest(const std::string& path, uint64_t size, uint32_t chunk_size, size_t chunks) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < chunks; ++i) {
    std::string seed = path + std::to_string(i);
    list.push_back(nlohmann::json::array({ChunkId::Of(seed.data(), seed.size()).Hex(), chunk_size}));
  }
  nlohmann::json m = {{"format", 1}, {"spec", nlohmann::json::object()},
                      {"files", nlohmann::json::array({{{"path", path}, {"size", size}, {"mode", 0644},
                                                        {"sha256", std::string(64, 'a')}, {"chunks", list}}})}};
  return m.dump();
}

TEST_F(HostilePeerTest, LyingManifestsAreRefusedAndNothingLandsOutsideTheDataDir) {
  // Check the raw form matches the real encoder's, so only the lie differs.
  Manifest honest;
  honest.files.push_back(OneChunkFile("a", "xyz"));
  ASSERT_TRUE(Manifest::Decode(honest.Encode()).ok());
  ASSERT_TRUE(Manifest::Decode(RawManifest("ok.bin", 1000, 1000, 1)).ok()) << Manifest::Decode(RawManifest("ok.bin", 1000, 1000, 1)).status().ToString();

  std::vector<Offer> offers;
  auto add = [&](const std::string& key, std::string bytes) {
    Offer o{key, RecordFor("liar", offers.size() + 1, bytes), std::move(bytes), {}};
    offers.push_back(std::move(o));
  };
  add("model/traversal", RawManifest("../../escape", 10, 10, 1));
  add("model/absolute", RawManifest("/tmp/escape-absolute", 10, 10, 1));
  add("model/oversize", RawManifest("big.bin", 1ull << 50, 64u << 20, 1));       // sizes do not add up
  add("model/huge-chunk", RawManifest("big.bin", 1ull << 33, 1u << 31, 4));     // 2 GiB chunks
  HostilePeer liar(pki_, "liar");
  Serve(liar, offers);
  liar.ConnectTo(victim_->port());
  ASSERT_TRUE(liar.WaitFor(kManifestRequest, offers.size()));
  EXPECT_TRUE(PollUntil([&] { return VictimLogged("traversal") || VictimLogged(".."); }));
  EXPECT_TRUE(PollUntil([&] {
    int refused = 0;
    for (const auto& line : victim_->log()) refused += line.find("manifest from liar refused") != std::string::npos;
    return refused == static_cast<int>(offers.size());
  }));
  for (const auto& o : offers) EXPECT_TRUE(victim_->store().Latest(Key(o.key)).status().IsNotFound()) << o.key;
  EXPECT_FALSE(std::filesystem::exists("/tmp/escape-absolute"));
  EXPECT_EQ(liar.received(kChunkRequest), 0u);  // nothing fetched for a refused manifest
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest"));
  ExpectNothingWrittenOutsideTheStore();
}

TEST_F(HostilePeerTest, EnormousButWellFormedDeclaredSizesDoNotGrowMemory) {
  // 1 TiB in 16384 chunks of 64 MiB, none of which the liar can produce.
  constexpr size_t kChunks = 16384;
  std::string bytes = RawManifest("enormous.bin", uint64_t{kChunks} << 26, 64u << 20, kChunks);
  Offer o{"model/enormous", RecordFor("liar", 1, bytes), bytes, {}};
  auto first = Manifest::Decode(bytes).value().files[0].chunks[0].id;
  o.chunks[first] = "tiny";  // a 4-byte answer to a 64 MiB request
  const uint64_t rss_before = RssBytes();
  HostilePeer liar(pki_, "liar");
  Serve(liar, {o});
  liar.ConnectTo(victim_->port());
  EXPECT_TRUE(PollUntil([&] { return VictimLogged("does not match its id") || VictimLogged("paused"); }));
  EXPECT_TRUE(victim_->store().Latest(Key("model/enormous")).status().IsNotFound());
  // One request at a time is all the window lets out (64 MiB chunk > 4 MiB window).
  EXPECT_LE(liar.received(kChunkRequest), 2u);
  const uint64_t grown = RssBytes() - std::min(RssBytes(), rss_before);
  std::printf("enormous manifest: RSS grew %.1f MiB, %zu chunk requests\n", grown / 1048576.0,
              liar.received(kChunkRequest));
  EXPECT_LT(grown, 64u << 20);
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest"));
}

TEST_F(HostilePeerTest, AbsurdVectorCountersCloseTheLinkWithTheReason) {
  HostilePeer liar(pki_, "liar");
  liar.respond = [&](uint32_t type, const std::string&) {
    if (type != kChangesRequest) return;
    // Encode() would carry any counter; the victim's decoder must refuse it.
    VersionRecord r;
    r.vector = VersionVector(std::map<std::string, uint64_t>{{"liar", std::numeric_limits<uint64_t>::max() - 1}});
    r.author = "liar";
    r.manifest_id = ChunkId::Of("m", 1);
    ChangesBatch batch{{{"model/absurd", {r}}}, 1, false, 1};
    liar.Send(Lane::kControl, kChangesBatch, Encode(batch));
  };
  liar.ConnectTo(victim_->port());
  EXPECT_TRUE(PollUntil([&] { return VictimLogged("absurd counter"); }));
  EXPECT_TRUE(PollUntil([&] { return liar.down_reason().find("absurd counter") != std::string::npos; }))
      << liar.down_reason();
  EXPECT_TRUE(victim_->store().Latest(Key("model/absurd")).status().IsNotFound());
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest"));
}

TEST_F(HostilePeerTest, FloodsOfTinyRequestsAreCutOffAndMemoryStaysBounded) {
  // A log worth reading: every changes request then costs the victim a full 256-key batch.
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE(victim_->store().PutFiles(Key("meta/k" + std::to_string(i)), {}, R"({"kind":"meta","fields":{}})").ok());
  HostilePeer liar(pki_, "liar");
  liar.ConnectTo(victim_->port());
  ASSERT_TRUE(PollUntil([&] { return liar.connected(); }));
  const uint64_t rss_before = RssBytes();
  // Each request makes the victim read its store and answer: far cheaper to send than to serve.
  const std::string changes = Encode(ChangesRequest{0, 256, {}});
  const std::string manifest = Encode(ManifestRequest{ChunkId::Of("none", 4), {}});
  const std::string poke = EncodePoke(1);
  size_t sent = 0;
  // Until the victim cuts it off, bounded: how many it takes depends on how fast each side runs.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (liar.connected() && std::chrono::steady_clock::now() < give_up) {
    bool ok = liar.Send(Lane::kControl, kChangesRequest, changes) &&
              liar.Send(Lane::kControl, kManifestRequest, manifest) && liar.Send(Lane::kControl, kPoke, poke);
    if (!ok) break;
    sent += 3;
  }
  EXPECT_TRUE(PollUntil([&] { return !liar.connected(); }, std::chrono::seconds(20))) << "sent " << sent;
  EXPECT_TRUE(VictimLogged("too many requests in flight")) << "sent " << sent;
  const uint64_t grown = RssBytes() - std::min(RssBytes(), rss_before);
  std::printf("flood: %zu messages sent before the cut, RSS grew %.1f MiB\n", sent, grown / 1048576.0);
  EXPECT_LT(grown, 128u << 20);
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest"));
}

TEST_F(HostilePeerTest, HalfOpenConnectionsAreDroppedAndDoNotBlockHonestPeers) {
  // 64 sockets that connect and never speak, and 8 that stop in the middle of a TLS record.
  std::vector<int> sockets;
  for (int i = 0; i < 72; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(victim_->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    if (i >= 64) {
      const unsigned char partial[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00};  // a ClientHello cut short
      ASSERT_EQ(::send(fd, partial, sizeof partial, 0), static_cast<ssize_t>(sizeof partial));
    }
    sockets.push_back(fd);
  }
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest"));
  // The handshake timeout (3 s in these tests) closes every one of them.
  auto start = std::chrono::steady_clock::now();
  for (int fd : sockets) {
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[64];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
    }
    EXPECT_EQ(n, 0) << "socket not closed by the victim (errno " << errno << ")";
    ::close(fd);
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  std::printf("half-open: 72 sockets closed by the victim %lld ms after the honest sync\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()));
  EXPECT_LT(waited, std::chrono::seconds(8));
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest-2"));
}

class HostileSwarmTest : public HostilePeerTest {
 protected:
  // The honest peer writes a 16 MiB model while `liar` is linked to the victim; true once the
  // victim has applied it (so every file passed its SHA-256).
  bool ModelArrivesDespite(HostilePeer& liar) {
    liar.ConnectTo(victim_->port());
    if (!PollUntil([&] { return liar.connected(); })) return false;
    auto file = src_ / "weights.bin";
    { std::ofstream(file, std::ios::binary) << edgesync::testing::RandomBytes(16u << 20, 21); }
    EXPECT_TRUE(honest_->store().Put(Key("model/swarm"), file, "{}").ok());
    return PollUntil([&] { return victim_->store().Latest(Key("model/swarm")).ok(); }, std::chrono::seconds(60));
  }
};

TEST_F(HostileSwarmTest, APartialHolderServingBadChunksIsDroppedForTheVersion) {
  HostilePeer liar(pki_, "liar");
  ClaimChunks(liar, [](const std::string& bits) { return std::string(bits.size(), '\xff'); });
  ASSERT_TRUE(ModelArrivesDespite(liar));
  EXPECT_GT(liar.received(kChunkRequest), 0u);  // it was asked, as the only partial holder
  EXPECT_TRUE(VictimLogged("does not match its id"));
  EXPECT_TRUE(VictimLogged("stopped fetching model/swarm"));
  EXPECT_TRUE(liar.connected());  // dropped for that version only
  EXPECT_TRUE(HonestPeerStillSyncs("model/honest"));
}

TEST_F(HostileSwarmTest, AvailabilityThatDoesNotFitTheManifestClosesTheLink) {
  HostilePeer liar(pki_, "liar");
  ClaimChunks(liar, [](const std::string& bits) { return bits + '\x01'; });
  ASSERT_TRUE(ModelArrivesDespite(liar));
  EXPECT_TRUE(PollUntil([&] { return liar.down_reason().find("bytes of bits for a manifest of") != std::string::npos; }))
      << liar.down_reason();
  EXPECT_TRUE(VictimLogged("bytes of bits for a manifest of"));
}

// Write ACL on the receive path: a signed edge version of a cloud-only key, relayed or not, is
// refused and never relayed; an admin-signed ACL is taken.
TEST(HostileAclTest, VersionsFromNonPermittedAuthorsAreRefusedAndNotRelayed) {
  transport::testing::TestPki pki("test-cluster");
  TempDir data;
  const char* rules = R"([{"roles":["cloud"],"keys":["model/*"],"allow":"write"},
                          {"roles":["edge","cloud"],"keys":["meta/edge-stats/*"],"allow":"write"}])";
  // Each node enforces with its own certificate and the test CA.
  std::vector<std::unique_ptr<WriteAuthority>> authorities;
  auto make = [&](const std::string& id, const std::string& role) {
    auto node = std::make_unique<ReplNode>(pki, id, data / id, role);
    WriteAuthorityOptions options;
    options.role = role;
    options.ca_pem = pki.ca().cert_pem;
    options.cert_pem = node->files().cert_pem;
    options.key_pem = transport::ReadTextFile(node->files().key).value();
    authorities.push_back(std::make_unique<WriteAuthority>(options));
    WriteAuthority* authority = authorities.back().get();
    node->configure = [authority](StoreOptions& so, ReplicatorOptions& ro) {
      so.seal_local_version = [authority](const ObjectKey& k, const VersionRecord& r) { return authority->SealLocal(k, r); };
      ro.admit_version = [authority](const std::string& k, const VersionRecord& r, const std::string& role) {
        return authority->AdmitRemote(k, r, role);
      };
    };
    node->Start();
    authority->Attach(node->store());
    return node;
  };
  auto cloud = make("cloud-1", "cloud");
  auto relay = make("edge-relay", "edge");
  auto edge = make("edge-2", "edge");
  relay->ConnectTo(*cloud);
  edge->ConnectTo(*relay);  // edge-2 -- edge-relay -- cloud-1

  // The ACL, signed by an admin node, reaches the cloud and is relayed on by the edge nodes
  // (each checks the admin's signature itself).
  auto admin_files = pki.Issue("admin-1", "admin");
  HostilePeer admin(pki, "admin-link", "admin");
  MetadataDocument doc;
  doc.Set("rules", nlohmann::json::parse(rules), {1, "admin-1"});
  Manifest m;
  m.spec_json = nlohmann::json{{"kind", "meta"}, {"fields", doc.ToJson()["fields"]}}.dump();
  Offer acl = OfferOf(kWriteAclKey, "admin-1", m);
  acl.record.attestation = SealVersion(kWriteAclKey, acl.record, admin_files.cert_pem,
                                       transport::ReadTextFile(admin_files.key).value())
                               .value();
  Serve(admin, {acl});
  admin.ConnectTo(cloud->port());
  for (auto* n : {cloud.get(), relay.get(), edge.get()})
    ASSERT_TRUE(PollUntil([&] { return n->store().Latest(Key(kWriteAclKey)).ok(); })) << n->id();
  for (const auto& a : authorities) ASSERT_TRUE(PollUntil([&] { return a->acl().enforced(); }));

  // Local refusal on the edge, naming the rule.
  auto file = data / "w.bin";
  { std::ofstream(file) << "edge weights"; }
  auto put = edge->store().Put(Key("model/helmet"), file, "{}");
  EXPECT_EQ(put.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(put.status().message().find("rule 1 (keys model/*) allows roles cloud"), std::string::npos)
      << put.status().message();
  // Non-admins cannot change the ACL.
  auto acl_edit = cloud->store().PutFiles(Key(kWriteAclKey), {}, R"({"kind":"meta","fields":{}})");
  EXPECT_EQ(acl_edit.status().code(), Status::Code::kPermissionDenied);

  // A hostile edge node announces a model version it signed itself (valid signature, wrong
  // role) and one it claims the cloud wrote (no signature: counts with its own role).
  auto liar_files = pki.Issue("edge-liar", "edge");
  Manifest model;
  model.files.push_back(OneChunkFile("w.bin", "evil weights"));
  Offer signed_by_edge = OfferOf("model/helmet", "edge-liar", model);
  signed_by_edge.record.attestation =
      SealVersion("model/helmet", signed_by_edge.record, liar_files.cert_pem,
                  transport::ReadTextFile(liar_files.key).value())
          .value();
  Offer claims_cloud = OfferOf("model/other", "cloud-1", model);
  for (Offer* o : {&signed_by_edge, &claims_cloud})
    o->chunks[model.files[0].chunks[0].id] = "evil weights";
  // The liar uses the certificate the signature came from, so both versions arrive from the
  // node that signed them.
  HostilePeer liar(pki, "edge-liar-link", "edge");
  Serve(liar, {signed_by_edge, claims_cloud});
  liar.ConnectTo(relay->port());
  auto logged = [](ReplNode& n, const std::string& needle) {
    for (const auto& l : n.log())
      if (l.find(needle) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(PollUntil([&] { return logged(*relay, "by edge-liar (signed by its author)"); }));
  EXPECT_TRUE(PollUntil([&] { return logged(*relay, "by cloud-1 (vouched for by the sending peer)"); }));
  EXPECT_EQ(liar.received(kManifestRequest), 0u);  // never fetched

  // A legitimate cloud model still flows through the edge relay to edge-2.
  auto cloud_file = data / "cloud.bin";
  { std::ofstream(cloud_file) << "cloud weights"; }
  ASSERT_TRUE(cloud->store().Put(Key("model/helmet-v2"), cloud_file, "{}").ok());
  EXPECT_TRUE(PollUntil([&] { return edge->store().Latest(Key("model/helmet-v2")).ok(); }));
  for (auto* n : {cloud.get(), relay.get(), edge.get()}) {
    EXPECT_TRUE(n->store().Latest(Key("model/helmet")).status().IsNotFound()) << n->id();
    EXPECT_TRUE(n->store().Latest(Key("model/other")).status().IsNotFound()) << n->id();
  }
}

}  // namespace
}  // namespace edgesync::replication
