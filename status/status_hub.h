// StatusHub: fans the status feed out to every connected client. A new client gets its snapshot
// and then every later event, in order, with nothing lost in between.
//
// Clients are held as weak_ptrs: a client that goes away simply stops receiving. Publishing
// copies the live clients under a short lock and delivers with that lock released; Deliver must
// be quick (queue the message, never block on the network). No Beast/Asio here.
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"

namespace edgesync {

class StatusSubscriber {
 public:
  virtual ~StatusSubscriber() = default;
  // Called from any thread, never concurrently for one subscriber. Must not block.
  virtual void Deliver(std::shared_ptr<const std::string> message) = 0;
};

class StatusHub {
 public:
  // Delivers `snapshot()` to `subscriber`, then adds it to the clients that get Publish()ed
  // events. Publishes wait for a join in progress, so none falls between the two.
  void Join(const std::shared_ptr<StatusSubscriber>& subscriber,
            const std::function<std::string()>& snapshot);
  // Serializes nothing: `message` is one complete JSON text, shared by every client.
  void Publish(std::string message);
  // Clients still alive.
  size_t subscribers();

 private:
  Mutex order_mu_;  // serializes Join and Publish deliveries (event order per client)
  Mutex list_mu_;
  std::vector<std::weak_ptr<StatusSubscriber>> subscribers_ GUARDED_BY(list_mu_);
};

}  // namespace edgesync
