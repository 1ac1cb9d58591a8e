// edgesyncd: the edgesync daemon. Flags in daemon_flags.cpp, wiring in daemon.cpp.
#include "syncd/daemon.h"
#include "syncd/daemon_flags.h"

int main(int argc, char** argv) {
  auto parsed = edgesync::ParseDaemonFlags(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  return edgesync::RunDaemon(std::get<edgesync::DaemonInvocation>(parsed));
}
