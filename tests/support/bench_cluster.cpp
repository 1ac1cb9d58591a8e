#include "tests/support/bench_cluster.h"

#include <fstream>
#include <sstream>

#include "control/control_client.h"
#include "tests/support/poll_until.h"

namespace edgesync::testing {

std::optional<nlohmann::json> BenchCluster::Call(const TestNode& node, const std::string& method,
                                                 const nlohmann::json& params) {
  auto client = ControlClient::Connect(node.socket());
  if (!client.ok()) return std::nullopt;
  auto response = client->Call(method, params, [](const ControlResponse&) {});
  if (!response.ok() || response->kind != ControlResponse::Kind::kResult) return std::nullopt;
  return response->body;
}

bool BenchCluster::WaitVisible(const TestNode& node, const std::string& key,
                               const std::string& version, std::chrono::milliseconds timeout,
                               std::chrono::microseconds poll) {
  return PollUntil(
      [&] {
        auto shown = Call(node, "show", {{"key", key}});
        return shown && shown->value("version", "") == version;
      },
      timeout, poll);
}

double BenchCluster::MemoryMib(const TestNode& node, const std::string& field) {
  if (!node.process) return -1;
  std::ifstream status("/proc/" + std::to_string(node.process->pid()) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream in(line.substr(field.size() + 1));
      double kib = 0;
      in >> kib;
      return kib / 1024.0;
    }
  }
  return -1;
}

double BenchCluster::CpuSeconds(const TestNode& node) {
  return node.process ? ::edgesync::testing::CpuSeconds(node.process->pid()) : -1;
}

}  // namespace edgesync::testing
