#!/usr/bin/env bash
# The long test tier: sanitizer builds of the whole suite, ThreadSanitizer over the concurrent
# libraries, long fuzzing of every decoder and parser, the long crash campaign and the soak.
# Prints a summary per stage; exits non-zero when any stage fails.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
CRASH_TRIALS=${CRASH_TRIALS:-50}
SOAK_NODES=${SOAK_NODES:-20}
SOAK_SECONDS=${SOAK_SECONDS:-300}
failed=()

stage() { echo; echo "=== $* ==="; }

stage "AddressSanitizer + UndefinedBehaviorSanitizer: whole suite"
# The preset also builds libFuzzer targets, and a fuzz configuration skips the other test tiers:
# turn that off here so the sanitizers run the whole suite (--no-tests=error catches an empty run).
if cmake --preset clang-asan -DEDGESYNC_FUZZ=OFF >/dev/null && cmake --build build-asan -j "$JOBS"; then
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
     ctest --output-on-failure --no-tests=error -j "$JOBS" -LE fuzz) || failed+=(asan)
else
  failed+=(asan-build)
fi

stage "ThreadSanitizer: store, transport, replication"
if cmake --preset clang-tsan >/dev/null && cmake --build build-tsan -j "$JOBS"; then
  (cd build-tsan && TSAN_OPTIONS=halt_on_error=1 \
     ctest --output-on-failure --no-tests=error -j "$JOBS" -R '^(Store|Gc|ApplyRemote|FileIngest|Link|RawPeer|Frame|PrioritySendQueue|MessageReassembler|Replicator|Messages)' ) || failed+=(tsan)
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
