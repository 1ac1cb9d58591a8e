#include "syncd/systemd_notifier.h"

#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>

namespace edgesync {
namespace {

void Notify(const std::string& message) {
  int rc = sd_notify(0, message.c_str());
  if (rc < 0) spdlog::debug("sd_notify failed: {}", rc);
}

}  // namespace

void SystemdNotifier::Ready(const std::string& status) const {
  Notify("READY=1\nSTATUS=" + status);
}

void SystemdNotifier::Status(const std::string& status) const { Notify("STATUS=" + status); }

void SystemdNotifier::Stopping(const std::string& status) const {
  Notify("STOPPING=1\nSTATUS=" + status);
}

void SystemdNotifier::WatchdogPing() const { Notify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> SystemdNotifier::WatchdogPingInterval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace edgesync
