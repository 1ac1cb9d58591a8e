#include "tests/fault/network/netem_probe.h"

#include <unistd.h>

#include "tests/support/process_runner.h"

namespace edgesync::testing {

std::string ProbeNetem() {
  const std::string kIp = "/usr/sbin/ip";
  using std::chrono::seconds;
  std::string ns = "es-probe-" + std::to_string(getpid());
  ProcessResult add = RunProcess({kIp, "netns", "add", ns}, seconds(10));
  if (add.exit_code != 0) {
    return "network namespaces not available here (/usr/sbin/ip netns add failed: " + add.err + ")";
  }
  ProcessResult netem = RunProcess(
      {kIp, "netns", "exec", ns, "/usr/sbin/tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"},
      seconds(10));
  RunProcess({kIp, "netns", "del", ns}, seconds(10));
  if (netem.exit_code != 0) {
    return "network namespaces work but tc netem does not (kernel without sch_netem?): " +
           netem.err;
  }
  return "network namespaces and tc netem work here";
}

}  // namespace edgesync::testing
