#include "checkout/change_fanout.h"

namespace edgesync {

ChangeFanout::ChangeFanout(Store& store) {
  store.AddChangeListener([this](const Change& change) { Publish(change); });
}

std::shared_ptr<ChangeFanout::Subscription> ChangeFanout::Subscribe(
    std::string key, std::function<void(const Change&)> on_change) {
  return Add(Subscriber{std::move(key), false, std::move(on_change)});
}

std::shared_ptr<ChangeFanout::Subscription> ChangeFanout::SubscribePrefix(
    std::string prefix, std::function<void(const Change&)> on_change) {
  return Add(Subscriber{std::move(prefix), true, std::move(on_change)});
}

std::shared_ptr<ChangeFanout::Subscription> ChangeFanout::Add(Subscriber added) {
  auto subscriber = std::make_shared<Subscriber>(std::move(added));
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
      if (!subscriber) continue;
      const bool matches = subscriber->prefix ? change.key.compare(0, subscriber->key.size(), subscriber->key) == 0
                                              : subscriber->key == change.key;
      if (matches) interested.push_back(std::move(subscriber));
    }
  }
  for (const auto& subscriber : interested) subscriber->on_change(change);
}

}  // namespace edgesync
