#!/usr/bin/env bash
# ctest fixture of the objectstore integration tests: installs s3rver (pinned in
# package-lock.json) into the build directory with `npm ci` when the lock file changed since the
# last install, so the tests start it from there.
#   install_s3rver.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 out=$2
for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL: '$tool' not found; scripts/setup.sh installs nodejs and npm" >&2
    exit 1
  fi
done
work=$out/npm
mkdir -p "$work"
cp "$src/package.json" "$src/package-lock.json" "$work/"
stamp=$work/node_modules/.edgesync-installed-lock.json
if ! cmp -s "$src/package-lock.json" "$stamp"; then
  echo "installing s3rver into $work (npm ci)"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$src/package-lock.json" "$stamp"
fi
test -f "$work/node_modules/s3rver/bin/s3rver.js"
