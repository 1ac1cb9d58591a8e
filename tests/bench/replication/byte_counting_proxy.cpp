#include "tests/bench/replication/byte_counting_proxy.h"

namespace edgesync::testing {

ByteCountingProxy::ByteCountingProxy(uint16_t upstream_port)
    : relay_(upstream_port, [this](bool to_upstream) -> TcpRelay::Observer {
        std::atomic<uint64_t>* counter = to_upstream ? &to_upstream_ : &from_upstream_;
        return [counter](std::string_view bytes) { counter->fetch_add(bytes.size()); };
      }) {}

}  // namespace edgesync::testing
