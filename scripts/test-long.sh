#!/usr/bin/env bash
# The long test tier: the package test, sanitizer builds of the whole suite, ThreadSanitizer over the concurrent
# libraries, long fuzzing of every decoder and parser, the long crash campaign, the soak, and
# the S3 client suite against Ceph's RADOS Gateway.
# Prints a summary per stage; exits non-zero when any stage fails.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
CRASH_TRIALS=${CRASH_TRIALS:-50}
SOAK_NODES=${SOAK_NODES:-20}
SOAK_SECONDS=${SOAK_SECONDS:-300}
failed=()
supp=$PWD/tests/sanitizers  # suppression files of the sanitizer stages (tsan.supp)

stage() { echo; echo "=== $* ==="; }

# Sanitizer reports from every process a test starts (daemons and CLI runs too, whose stderr the
# tests keep in temporary files) go to one log directory; a stage fails when it holds any report.
# REQUIRES: $1 is a fresh directory. Prints the reports found.
sanitizer_reports_in() {
  local reports
  reports=$(find "$1" -type f | sort)
  [ -z "$reports" ] && return 1
  echo "sanitizer reports in $1:"
  for r in $reports; do echo "--- $r"; head -n 60 "$r"; done
  return 0
}

stage "Debian package and Kubernetes manifests"
make test-package || failed+=(package)

stage "AddressSanitizer + UndefinedBehaviorSanitizer: whole suite"
# The preset also builds libFuzzer targets, and a fuzz configuration skips the other test tiers:
# turn that off here so the sanitizers run the whole suite (--no-tests=error catches an empty run).
if cmake --preset clang-asan -DEDGESYNC_FUZZ=OFF >/dev/null && cmake --build build-asan -j "$JOBS"; then
  logs=$PWD/build-asan/sanitizer-logs
  rm -rf "$logs" && mkdir -p "$logs"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:log_path=$logs/asan \
     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan \
     ctest --output-on-failure --no-tests=error -j "$JOBS" -LE fuzz) || failed+=(asan)
  sanitizer_reports_in "$logs" && failed+=(asan-reports)
else
  failed+=(asan-build)
fi

stage "ThreadSanitizer: store, transport, replication"
# Only the executables of those libraries' tests are built; the regex names every suite in them.
tsan_targets=(store_tests transport_codec_test transport_identity_test transport_link_test
  replication_tests replication_acl_test replication_hostile_peer_test)
tsan_suites='Store|Gc|ApplyRemote|FileIngest|Purge|RocksChunkStore|Chunker|ChunkId|ChunkLocation'
tsan_suites+='|ObjectKey|VersionVector|HybridClock|Manifest|JsonDepth'
tsan_suites+='|Link|RawPeer|Frame|PrioritySendQueue|MessageReassembler|Hello|ClockSkew|Identity'
tsan_suites+='|Replicator|Messages|StreamVerifier|WriteAcl|HostilePeer|HostileAcl|Attestation'
# The kill-during-GC campaign forks its threaded test process; TSan cannot run threads in a forked
# child of a threaded process (it dies, or crashes with die_after_fork=0). The crash stage below
# runs that test in the ordinary build.
tsan_unsupported='^GcTest\.KillDuringPutsAndGcLeavesConsistentStore$'
if cmake --preset clang-tsan >/dev/null && cmake --build build-tsan -j "$JOBS" --target "${tsan_targets[@]}"; then
  logs=$PWD/build-tsan/sanitizer-logs
  rm -rf "$logs" && mkdir -p "$logs"
  (cd build-tsan && \
     TSAN_OPTIONS=halt_on_error=1:suppressions=$supp/tsan.supp:log_path=$logs/tsan \
     ctest --output-on-failure --no-tests=error -j "$JOBS" -R "^($tsan_suites)Test\\." \
       -E "$tsan_unsupported") || failed+=(tsan)
  sanitizer_reports_in "$logs" && failed+=(tsan-reports)
else
  failed+=(tsan-build)
fi

stage "Convergence property test: 2000 cases"
make build >/dev/null
EDGESYNC_CONVERGENCE_CASES=2000 build/tests/unit/conflict/conflict_tests --gtest_filter="ConvergenceTest.*" || failed+=(convergence)

stage "Crash campaign: $CRASH_TRIALS kill -9 trials during puts and GC"
make build >/dev/null
EDGESYNC_CRASH_TRIALS=$CRASH_TRIALS build/tests/unit/store/store_tests \
  --gtest_filter='GcTest.KillDuringPutsAndGcLeavesConsistentStore' || failed+=(crash)

stage "Replication crash campaign: $CRASH_TRIALS trials, SIGKILL of sender or receiver mid-transfer"
EDGESYNC_CRASH_TRIALS=$CRASH_TRIALS build/tests/fault/replication/replication_crash_test \
  || failed+=(replication-crash)

stage "Soak: $SOAK_NODES daemons, $SOAK_SECONDS s of random writes, deletes, meta edits and restarts"
EDGESYNC_SOAK_NODES=$SOAK_NODES EDGESYNC_SOAK_SECONDS=$SOAK_SECONDS build/tests/fault/soak/soak_test \
  || failed+=(soak)

stage "S3 suite against Ceph RGW"
# A one-node Ceph (monitor, memstore OSD, radosgw) in a temporary directory, installed when
# missing; fails, saying why, when it cannot start.
make build >/dev/null
JOBS=$JOBS bash tests/integration/objectstore/ceph/run_suite.sh build || failed+=(ceph-rgw)

stage "Fuzzing: every target for $FUZZ_SECONDS s"
make fuzz-build >/dev/null
for f in build-fuzz/tests/fuzz-bin/*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  seed=$(find tests/fuzz -type d -path "*corpus*" -name "${name#fuzz_}" | head -n 1)
  cmake -DFUZZER="$f" -DSEED="$seed" -DWORK="build-fuzz/long/$name" -DSECONDS="$FUZZ_SECONDS" \
    -P cmake/RunFuzzer.cmake || failed+=("fuzz:$name")
done

echo
if [ ${#failed[@]} -eq 0 ]; then
  echo "test-long: all stages passed"
else
  echo "test-long: FAILED stages: ${failed[*]}"
  exit 1
fi
