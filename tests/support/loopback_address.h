// LoopbackAddress: 127.0.0.1:port as a sockaddr_in, for the test servers and proxies that bind
// or connect with plain sockets.
#pragma once

#include <netinet/in.h>

#include <cstdint>

namespace edgesync::testing {

sockaddr_in LoopbackAddress(uint16_t port);

}  // namespace edgesync::testing
