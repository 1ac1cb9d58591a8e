// CommandDispatcher: the table of control-socket methods. Each feature registers its handlers
// during wiring (daemon_wiring.cpp): store commands now, catalog and replication commands as
// those libraries land. The server looks methods up and runs handlers on the lane they ask for.
//
// Registration happens before serving; afterwards the table is read-only and safe for
// concurrent lookups.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "base/status.h"

namespace edgesync {

// Where a handler runs. Handlers block (store calls, file I/O); none runs on network threads.
enum class CommandLane {
  kQuick,        // metadata reads and small writes: own pool, never behind bulk work
  kBulk,         // puts, gets, checkouts of large objects
  kLongRunning,  // runs until cancelled (checkout --watch): own bounded set of threads
};

// Cancellation of one request: set when the client disconnects or the daemon shuts down.
// Handlers poll cancelled() or sleep in WaitFor(), which also wakes on Wake(). Thread-safe.
class CancellationToken {
 public:
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }
  // Wakes a WaitFor() without cancelling (new work for a long-running handler).
  void Wake();
  // Sleeps until cancelled, woken, or `timeout`; returns true if cancelled.
  bool WaitFor(std::chrono::milliseconds timeout);

 private:
  std::atomic<bool> cancelled_{false};
  Mutex mu_;
  CondVar cv_;
  bool woken_ GUARDED_BY(mu_) = false;
};

// What a handler may do besides returning its result: send progress and event lines, and learn
// that it should stop. Emit* are thread-safe and never block on the network.
struct CommandContext {
  std::function<void(const nlohmann::json&)> emit_progress;
  std::function<void(const nlohmann::json&)> emit_event;
  std::shared_ptr<CancellationToken> cancellation;
};

using CommandHandler =
    std::function<Result<nlohmann::json>(const nlohmann::json& params, CommandContext& context)>;

struct Command {
  CommandLane lane = CommandLane::kQuick;
  CommandHandler handler;
};

class CommandDispatcher {
 public:
  // REQUIRES: `method` not registered yet; called before serving.
  void Register(const std::string& method, CommandLane lane, CommandHandler handler);
  // nullptr when unknown.
  const Command* Find(const std::string& method) const;
  std::vector<std::string> Methods() const;

 private:
  std::map<std::string, Command> commands_;
};

}  // namespace edgesync
