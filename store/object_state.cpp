#include "store/object_state.h"

#include <nlohmann/json.hpp>

namespace edgesync {

using json = nlohmann::json;

std::string ObjectState::Encode() const {
  json h = json::array();
  for (const auto& r : heads) h.push_back(json::parse(r.Encode()));
  return json{{"heads", std::move(h)}, {"seq", seq}, {"bytes", logical_bytes}}.dump();
}

Result<ObjectState> ObjectState::Decode(std::string_view bytes) {
  ObjectState st;
  try {
    json j = json::parse(bytes);
    for (const auto& h : j.at("heads")) {
      auto r = VersionRecord::Decode(h.dump());
      if (!r.ok()) return r.status();
      st.heads.push_back(std::move(r).value());
    }
    st.seq = j.at("seq").get<uint64_t>();
    st.logical_bytes = j.value("bytes", uint64_t{0});
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("object state: ") + e.what());
  }
  if (st.heads.empty()) return Status::Corruption("object state without heads");
  return st;
}

const VersionRecord& WinningHead(const std::vector<VersionRecord>& heads) {
  const VersionRecord* best = &heads.front();
  for (const auto& h : heads)
    if (h.hlc > best->hlc || (h.hlc == best->hlc && h.author > best->author)) best = &h;
  return *best;
}

}  // namespace edgesync
