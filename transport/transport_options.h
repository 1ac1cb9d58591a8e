// TransportOptions: everything a Transport needs, with defaults sized for small edge boxes.
// Thread-safety: plain value.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "limits/bandwidth_limiter.h"
#include "transport/frame.h"
#include "transport/hello.h"

namespace edgesync::transport {

struct TransportOptions {
  // Our side of the Hello: cluster id, node id, protocol range, labels, subscriptions, epoch.
  Hello local_hello;
  // When set, each Hello's store epoch is read from it instead of local_hello (the store can
  // start a new incarnation while the daemon runs). Called on network threads; thread-safe.
  std::function<std::string()> store_epoch_source;
  // When set, fills in each Hello's listen_port and peer_hints (what this node's peers may dial)
  // before it is sent. Called on network threads; thread-safe.
  std::function<void(Hello*)> hello_hints;

  // Listener address; port 0 picks an ephemeral port (see Transport::Listen).
  std::string listen_address = "0.0.0.0";
  std::uint16_t listen_port = 7443;
  std::string websocket_path = "/sync";

  // Mutual TLS material (PEM files). crl_file is optional; when set, peers are checked against it.
  std::filesystem::path ca_cert_file;
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  std::filesystem::path crl_file;

  // Limits.
  std::size_t max_frame_payload = kDefaultMaxFramePayload;   // bytes per frame
  std::size_t max_message_size = 64u << 20;                  // reassembled message
  std::size_t max_control_queue_bytes = 8u << 20;            // per link
  std::size_t max_bulk_queue_bytes = 32u << 20;              // per link
  std::chrono::milliseconds handshake_timeout{10'000};       // TCP accept to hello accepted
  std::chrono::milliseconds idle_timeout{30'000};            // ping at half, drop at full
  std::chrono::milliseconds clock_skew_warning{5'000};       // peer clocks further off are logged

  // Optional: the node's bandwidth limits. Each bulk frame waits until the sending limit that
  // applies to its peer lets it go; control frames are never held back (docs/transport.md).
  std::shared_ptr<limits::BandwidthLimiter> bandwidth;

  // Reconnect backoff of dialers: jittered exponential between these bounds.
  std::chrono::milliseconds reconnect_initial_delay{500};
  std::chrono::milliseconds reconnect_max_delay{30'000};

  // TEST ONLY: plain WebSocket without TLS, allowed only on loopback addresses. No identity is
  // verified; the Hello is trusted as is. Logged loudly.
  bool insecure_plaintext_for_tests = false;
};

}  // namespace edgesync::transport
