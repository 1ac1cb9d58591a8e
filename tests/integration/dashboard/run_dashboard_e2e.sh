#!/usr/bin/env bash
# ctest entry of dashboard_e2e: installs playwright-core (pinned in package-lock.json) into the
# build directory with `npm ci` when the lock file changed since the last install, then runs
# dashboard_e2e.mjs from there (ES modules resolve packages from the script's own directory).
#   run_dashboard_e2e.sh SOURCE_DIR BUILD_DIR EDGESYNCD EDGESYNC
# Exit 77 (ctest: skipped) only when Chromium is missing; a missing node or npm is a failure.
set -euo pipefail
src=$1 out=$2 edgesyncd=$3 edgesync=$4
chromium=${EDGESYNC_CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
  echo "SKIP: $chromium not found; install the Debian package 'chromium' (scripts/setup.sh does)"
  exit 77
fi
work=$out/npm
bash "$(dirname "$0")/../../support/npm_ci_pinned.sh" "$src" "$work" dashboard_e2e.mjs

exec node "$work/dashboard_e2e.mjs" --edgesyncd "$edgesyncd" --edgesync "$edgesync" \
  --chromium "$chromium" --out "$out"
