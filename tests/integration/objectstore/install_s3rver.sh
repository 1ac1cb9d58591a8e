#!/usr/bin/env bash
# ctest fixture of the objectstore integration tests: installs s3rver (pinned in
# package-lock.json) into the build directory with `npm ci` when the lock file changed since the
# last install, so the tests start it from there.
#   install_s3rver.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 out=$2
work=$out/npm
bash "$(dirname "$0")/../../support/npm_ci_pinned.sh" "$src" "$work"
test -f "$work/node_modules/s3rver/bin/s3rver.js"
