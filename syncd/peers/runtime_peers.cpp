#include "syncd/peers/runtime_peers.h"

#include <algorithm>

#include "checkout/json_file.h"

namespace edgesync {
namespace {

bool Same(const PeerAddress& a, const PeerAddress& b) { return a.host == b.host && a.port == b.port; }

}  // namespace

Result<std::unique_ptr<RuntimePeers>> RuntimePeers::Open(std::filesystem::path file) {
  std::unique_ptr<RuntimePeers> peers(new RuntimePeers(std::move(file)));
  Result<nlohmann::json> read = ReadJsonObjectFile(peers->file_);
  if (!read.ok()) return read.status();
  const nlohmann::json list = read->value("peers", nlohmann::json::array());
  if (!list.is_array()) return Status::Corruption(peers->file_.string() + ": peers must be a list");
  MutexLock lock(peers->mu_);
  for (const nlohmann::json& text : list) {
    Result<PeerAddress> peer = text.is_string()
                                   ? PeerAddress::Parse(text.get<std::string>())
                                   : Result<PeerAddress>(Status::InvalidArgument("not a string"));
    if (!peer.ok()) return Status::Corruption(peers->file_.string() + ": " + peer.status().message());
    peers->peers_.push_back(*peer);
  }
  return peers;
}

std::vector<PeerAddress> RuntimePeers::List() const {
  MutexLock lock(mu_);
  return peers_;
}

Status RuntimePeers::Add(const PeerAddress& peer) {
  MutexLock lock(mu_);
  if (std::any_of(peers_.begin(), peers_.end(), [&](const PeerAddress& p) { return Same(p, peer); }))
    return Status::AlreadyExists(peer.ToString() + " is already a peer");
  peers_.push_back(peer);
  Status saved = Save();
  if (!saved.ok()) peers_.pop_back();
  return saved;
}

Status RuntimePeers::Remove(const PeerAddress& peer) {
  MutexLock lock(mu_);
  auto it = std::find_if(peers_.begin(), peers_.end(), [&](const PeerAddress& p) { return Same(p, peer); });
  if (it == peers_.end()) return Status::NotFound(peer.ToString() + " is not a peer added at runtime");
  const PeerAddress removed = *it;
  peers_.erase(it);
  Status saved = Save();
  if (!saved.ok()) peers_.push_back(removed);
  return saved;
}

Status RuntimePeers::Save() {
  nlohmann::json list = nlohmann::json::array();
  for (const PeerAddress& peer : peers_) list.push_back(peer.ToString());
  return ReplaceJsonFile(file_, {{"peers", list}});
}

}  // namespace edgesync
