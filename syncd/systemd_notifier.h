// SystemdNotifier: the sd_notify(3) side of Type=notify units (READY=1, STATUS=, STOPPING=1,
// WATCHDOG=1). Without $NOTIFY_SOCKET every call is a no-op, so the daemon behaves the same
// outside systemd. Safe for concurrent access (sd_notify is a datagram send).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace edgesync {

class SystemdNotifier {
 public:
  void Ready(const std::string& status) const;
  void Status(const std::string& status) const;
  void Stopping(const std::string& status) const;
  void WatchdogPing() const;
  // Half of WATCHDOG_USEC when the watchdog is enabled for this process, as sd_watchdog_enabled(3)
  // advises; nullopt otherwise.
  std::optional<std::chrono::microseconds> WatchdogPingInterval() const;
};

}  // namespace edgesync
