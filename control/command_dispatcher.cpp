#include "control/command_dispatcher.h"

#include <cassert>

namespace edgesync {

void CancellationToken::Cancel() {
  {
    MutexLock lock(mu_);
    cancelled_ = true;
  }
  cv_.NotifyAll();
}

void CancellationToken::Wake() {
  {
    MutexLock lock(mu_);
    woken_ = true;
  }
  cv_.NotifyAll();
}

bool CancellationToken::WaitFor(std::chrono::milliseconds timeout) {
  MutexLock lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cancelled_.load() && !woken_ && cv_.WaitUntil(mu_, deadline)) {
  }
  woken_ = false;
  return cancelled_.load();
}

void CommandDispatcher::Register(const std::string& method, CommandLane lane,
                                 CommandHandler handler) {
  bool inserted = commands_.emplace(method, Command{lane, std::move(handler)}).second;
  assert(inserted && "method registered twice");
  (void)inserted;
}

const Command* CommandDispatcher::Find(const std::string& method) const {
  auto it = commands_.find(method);
  return it == commands_.end() ? nullptr : &it->second;
}

std::vector<std::string> CommandDispatcher::Methods() const {
  std::vector<std::string> methods;
  for (const auto& [name, command] : commands_) methods.push_back(name);
  return methods;
}

}  // namespace edgesync
