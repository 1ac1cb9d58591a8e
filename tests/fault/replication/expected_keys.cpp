#include "tests/fault/replication/expected_keys.h"

#include <nlohmann/json.hpp>

#include "tests/support/test_content.h"

namespace edgesync::testing {

namespace fs = std::filesystem;
using nlohmann::json;

void ExpectedKeys::Record(const std::string& key, State state, bool certain) {
  auto [it, fresh] = keys_.try_emplace(key);
  std::vector<State>& states = it->second;
  if (certain) states.clear();
  else if (fresh) states.push_back(std::nullopt);  // an unfinished first put may not commit
  states.push_back(std::move(state));
}

std::vector<std::string> ExpectedKeys::LiveKeys() const {
  std::vector<std::string> live;
  for (const auto& [key, states] : keys_) {
    if (states.size() == 1 && states[0].has_value()) live.push_back(key);
  }
  return live;
}

bool ExpectedKeys::Refers(const fs::path& source) const {
  for (const auto& [key, states] : keys_) {
    for (const State& state : states) {
      if (state == source) return true;
    }
  }
  return false;
}

void ExpectedKeys::Check(const CliFn& cli, const std::vector<TestNode*>& nodes,
                         const fs::path& scratch, std::vector<std::string>* problems) {
  int gets = 0;
  // Which acceptable state each node shows for one key; -1: none of them.
  auto observe = [&](const TestNode& node, const std::string& key,
                     const std::vector<State>& states) {
    fs::path dest = scratch / ("check-" + std::to_string(++gets));
    bool got = cli(node, {"get", key, dest.string()}).exit_code == 0;
    int match = -1;
    for (size_t i = 0; i < states.size() && match < 0; ++i) {
      std::string why;
      if (!states[i].has_value() ? !got : (got && SameTree(*states[i], dest, &why))) {
        match = static_cast<int>(i);
      }
    }
    std::error_code ec;
    fs::remove_all(dest, ec);
    return match;
  };
  for (auto& [key, states] : keys_) {
    int agreed = -2;
    for (const TestNode* node : nodes) {
      int match = observe(*node, key, states);
      if (match < 0) {
        problems->push_back(node->name + ": " + key + " is neither of its " +
                            std::to_string(states.size()) + " acceptable states");
      } else if (agreed != -2 && match != agreed) {
        problems->push_back(key + ": nodes disagree");
      }
      agreed = match;
    }
    if (agreed >= 0) states = {states[static_cast<size_t>(agreed)]};
  }
  // Every listed key must be expected (no resurrected delete); expected live keys were read
  // above on every node (no version visible without its chunks).
  for (const TestNode* node : nodes) {
    ProcessResult ls = cli(*node, {"ls", "--json"});
    json listing = json::parse(ls.out, nullptr, false);
    if (ls.exit_code != 0 || !listing.is_object()) {
      problems->push_back(node->name + ": ls failed: " + ls.err);
      continue;
    }
    for (const json& object : listing.value("objects", json::array())) {
      std::string key = object.value("key", "");
      if (object.value("tombstone", false)) continue;
      auto it = keys_.find(key);
      if (it == keys_.end()) {
        problems->push_back(node->name + ": unexpected key " + key);
      } else if (!it->second[0].has_value()) {
        problems->push_back(node->name + ": deleted key " + key + " is listed again");
      }
    }
  }
}

}  // namespace edgesync::testing
