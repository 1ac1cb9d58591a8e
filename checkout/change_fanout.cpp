#include "checkout/change_fanout.h"

namespace edgesync {

ChangeFanout::ChangeFanout(Store& store) {
  store.AddChangeListener([this](const Change& change) { Publish(change); });
}

std::shared_ptr<ChangeFanout::Subscription> ChangeFanout::Subscribe(
    std::string key, std::function<void(const Change&)> on_change) {
  auto subscriber = std::make_shared<Subscriber>(Subscriber{std::move(key), std::move(on_change)});
  {
    MutexLock lock(mu_);
    std::erase_if(subscribers_, [](const auto& weak) { return weak.expired(); });
    subscribers_.push_back(subscriber);
  }
  return std::make_shared<Subscription>(subscriber);
}

void ChangeFanout::Publish(const Change& change) {
  std::vector<std::shared_ptr<Subscriber>> interested;
  {
    MutexLock lock(mu_);
    for (const auto& weak : subscribers_) {
      auto subscriber = weak.lock();
      if (subscriber && subscriber->key == change.key) interested.push_back(std::move(subscriber));
    }
  }
  for (const auto& subscriber : interested) subscriber->on_change(change);
}

}  // namespace edgesync
