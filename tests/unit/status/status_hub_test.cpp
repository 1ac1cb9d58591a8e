#include "status/status_hub.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace edgesync {
namespace {

class Recorder : public StatusSubscriber {
 public:
  void Deliver(std::shared_ptr<const std::string> message) override {
    std::lock_guard lock(mu);
    messages.push_back(*message);
  }
  std::vector<std::string> Messages() {
    std::lock_guard lock(mu);
    return messages;
  }
  std::mutex mu;
  std::vector<std::string> messages;
};

TEST(StatusHubTest, SnapshotComesFirstThenEveryLaterEvent) {
  StatusHub hub;
  hub.Publish("before");
  auto a = std::make_shared<Recorder>();
  hub.Join(a, [] { return std::string("snapshot"); });
  hub.Publish("e1");
  hub.Publish("e2");
  EXPECT_EQ(a->Messages(), (std::vector<std::string>{"snapshot", "e1", "e2"}));
}

TEST(StatusHubTest, ForgetsSubscribersThatWentAway) {
  StatusHub hub;
  auto a = std::make_shared<Recorder>();
  auto b = std::make_shared<Recorder>();
  hub.Join(a, [] { return std::string("s"); });
  hub.Join(b, [] { return std::string("s"); });
  EXPECT_EQ(hub.subscribers(), 2u);
  b.reset();
  hub.Publish("e");
  EXPECT_EQ(hub.subscribers(), 1u);
  EXPECT_EQ(a->Messages().back(), "e");
}

// The number of the last event the hub delivered, as the hub ordered it: a subscriber's
// deliveries are serialized with joins, so a snapshot reading it is exact.
class LastEvent : public StatusSubscriber {
 public:
  void Deliver(std::shared_ptr<const std::string> message) override {
    if (message->rfind("snapshot", 0) != 0) last = std::stoi(*message);
  }
  std::atomic<int> last{0};
};

// Joins racing with publishes: every client sees its snapshot first and, after it, a gap-free
// tail of the published sequence.
TEST(StatusHubTest, JoinsRacingPublishesMissNothingAfterTheirSnapshot) {
  StatusHub hub;
  auto last = std::make_shared<LastEvent>();
  hub.Join(last, [] { return std::string("snapshot"); });
  std::thread publisher([&] {
    for (int i = 1; i <= 2000; ++i) hub.Publish(std::to_string(i));
  });
  std::vector<std::shared_ptr<Recorder>> clients;
  for (int i = 0; i < 50; ++i) {
    auto c = std::make_shared<Recorder>();
    // The snapshot says how far the feed is; the next event must be the one after it.
    hub.Join(c, [&] { return "snapshot " + std::to_string(last->last.load()); });
    clients.push_back(c);
  }
  publisher.join();
  for (const auto& c : clients) {
    auto m = c->Messages();
    ASSERT_FALSE(m.empty());
    ASSERT_EQ(m[0].rfind("snapshot ", 0), 0u);
    int seen = std::stoi(m[0].substr(9));
    for (size_t i = 1; i < m.size(); ++i) EXPECT_EQ(std::stoi(m[i]), seen + static_cast<int>(i));
    // A client that joined after the last event has only its snapshot, which says so.
    EXPECT_EQ(seen + static_cast<int>(m.size()) - 1, 2000);
  }
}

}  // namespace
}  // namespace edgesync
