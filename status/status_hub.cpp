#include "status/status_hub.h"

#include <algorithm>

namespace edgesync {

void StatusHub::Join(const std::shared_ptr<StatusSubscriber>& subscriber,
                     const std::function<std::string()>& snapshot) {
  MutexLock order(order_mu_);
  subscriber->Deliver(std::make_shared<const std::string>(snapshot()));
  MutexLock list(list_mu_);
  subscribers_.push_back(subscriber);
}

void StatusHub::Publish(std::string message) {
  auto shared = std::make_shared<const std::string>(std::move(message));
  MutexLock order(order_mu_);
  std::vector<std::shared_ptr<StatusSubscriber>> live;
  {
    MutexLock list(list_mu_);
    live.reserve(subscribers_.size());
    std::erase_if(subscribers_, [&](const std::weak_ptr<StatusSubscriber>& weak) {
      auto strong = weak.lock();
      if (!strong) return true;
      live.push_back(std::move(strong));
      return false;
    });
  }
  for (const auto& subscriber : live) subscriber->Deliver(shared);
}

size_t StatusHub::subscribers() {
  MutexLock list(list_mu_);
  std::erase_if(subscribers_, [](const auto& weak) { return weak.expired(); });
  return subscribers_.size();
}

}  // namespace edgesync
