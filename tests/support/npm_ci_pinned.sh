#!/usr/bin/env bash
# Installs the npm packages a test pins (SOURCE_DIR's package.json and package-lock.json) into
# WORK_DIR with `npm ci`, only when the lock file changed since the last install there, and
# copies FILES (more files of SOURCE_DIR the test runs from WORK_DIR) beside them.
#   npm_ci_pinned.sh SOURCE_DIR WORK_DIR [FILE ...]
# Fails, naming it, when node or npm is missing (scripts/setup.sh installs them).
set -euo pipefail
src=$1 work=$2
shift 2
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: '$tool' not found; scripts/setup.sh installs nodejs and npm" >&2
    exit 1
  fi
done
mkdir -p "$work"
cp "$src/package.json" "$src/package-lock.json" "$work/"
for file in "$@"; do cp "$src/$file" "$work/"; done
stamp=$work/node_modules/.edgesync-installed-lock.json
if ! cmp -s "$src/package-lock.json" "$stamp"; then
  echo "installing the packages of $src/package-lock.json into $work (npm ci)"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$src/package-lock.json" "$stamp"
fi
