// edgesyncd: the edgesync daemon. Flags in daemon_flags.cpp, wiring in daemon.cpp.
#include <malloc.h>

#include "syncd/daemon.h"
#include "syncd/daemon_flags.h"

int main(int argc, char** argv) {
  // Edge boxes are small: glibc would otherwise keep one arena per thread that ever allocated
  // (network, worker and RocksDB threads), each holding freed memory after large transfers.
  mallopt(M_ARENA_MAX, 2);
  auto parsed = edgesync::ParseDaemonFlags(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  return edgesync::RunDaemon(std::get<edgesync::DaemonInvocation>(parsed));
}
