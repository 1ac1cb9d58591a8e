// edgesyncd: the edgesync daemon. Flags in daemon_flags.cpp, wiring in daemon.cpp.
#include <malloc.h>

#include "syncd/daemon.h"
#include "syncd/daemon_flags.h"

int main(int argc, char** argv) {
  // Edge boxes are small: glibc would otherwise keep one arena per thread that ever allocated
  // (network, worker and RocksDB threads), each holding freed memory after large transfers.
  mallopt(M_ARENA_MAX, 2);
  // Messages of up to 256 KiB come and go per frame during a transfer. With glibc's defaults
  // they start out as mmap()s and the heap top is trimmed as soon as it frees, so each transfer
  // keeps faulting in fresh pages, which is slow on virtual machines that hand freed memory back
  // to the host. Keep them on the heap; the idle timer trims it (Daemon::ScheduleIdleMemoryRelease).
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  auto parsed = edgesync::ParseDaemonFlags(argc, argv);
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  return edgesync::RunDaemon(std::get<edgesync::DaemonInvocation>(parsed));
}
