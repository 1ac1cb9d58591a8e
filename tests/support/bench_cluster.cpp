#include "tests/support/bench_cluster.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include <unistd.h>

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
  if (!node.process) return -1;
  std::ifstream stat("/proc/" + std::to_string(node.process->pid()) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t end = text.rfind(')');  // the command name may contain spaces
  if (end == std::string::npos) return -1;
  std::istringstream fields(text.substr(end + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace edgesync::testing
