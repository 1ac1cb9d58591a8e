#include "tests/unit/transport/test_node.h"

#include <boost/asio/executor_work_guard.hpp>

#include "tests/support/poll_until.h"

namespace edgesync::transport::testing {

void RecordingHandler::OnLinkUp(Link& link) {
  std::lock_guard lock(mutex_);
  ups.push_back(link.peer().node_id);
  up_peers.push_back(link.peer());
  changed_.notify_all();
}

void RecordingHandler::OnMessage(Link& link, Lane lane, std::uint32_t type, std::string payload) {
  std::function<void()> hook;
  {
    std::lock_guard lock(mutex_);
    hook = on_message_hook_;
  }
  if (hook) hook();
  std::lock_guard lock(mutex_);
  messages.push_back({link.peer().node_id, lane, type, std::move(payload)});
  changed_.notify_all();
}

void RecordingHandler::OnLinkDown(Link&, const std::string& reason) {
  std::lock_guard lock(mutex_);
  downs.push_back(reason);
  changed_.notify_all();
}

void RecordingHandler::OnLinkRefused(const std::string&, const std::string& reason) {
  std::lock_guard lock(mutex_);
  refusals.push_back(reason);
  changed_.notify_all();
}

void RecordingHandler::SetOnMessageHook(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  on_message_hook_ = std::move(hook);
}

bool RecordingHandler::WaitFor(const std::function<bool(const RecordingHandler&)>& predicate,
                               std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return predicate(*this); });
}

bool RecordingHandler::ContainsRefusal(const std::string& needle) const {
  for (const auto& reason : refusals) {
    if (reason.find(needle) != std::string::npos) return true;
  }
  return false;
}

bool RecordingHandler::ContainsDown(const std::string& needle) const {
  for (const auto& reason : downs) {
    if (reason.find(needle) != std::string::npos) return true;
  }
  return false;
}

TestNode::TestNode(TransportOptions options) {
  auto transport = Transport::Create(io_, std::move(options), handler_);
  if (!transport.ok()) {
    create_error_ = transport.status().ToString();
    return;
  }
  transport_ = std::move(transport).value();
  thread_ = std::thread([this] {
    auto guard = boost::asio::make_work_guard(io_);
    io_.run();
  });
}

TestNode::~TestNode() { Stop(); }

std::uint16_t TestNode::Listen() {
  auto port = transport_->Listen();
  return port.ok() ? port.value() : 0;
}

std::shared_ptr<Link> TestNode::LinkTo(const std::string& node_id) {
  for (auto& link : transport_->Links()) {
    if (link->peer().node_id == node_id) return link;
  }
  return nullptr;
}

void TestNode::Stop() {
  if (!thread_.joinable()) return;
  transport_->Shutdown();
  // Give graceful closes a moment, then stop the loop (the work guard keeps it alive).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  edgesync::testing::PollUntil([&] { return transport_->Links().empty(); }, std::chrono::seconds(3));
  io_.stop();
  thread_.join();
}

}  // namespace edgesync::transport::testing
