#!/usr/bin/env bash
# Starts one edgesync node in the foreground with its data under ./data (make run).
# Usage: bash scripts/run.sh [build-dir]
set -euo pipefail
BUILD="${1:-build}"
DAEMON="$BUILD/syncd/edgesyncd"
CLI="$BUILD/cli/edgesync"
if [ ! -x "$DAEMON" ]; then
  echo "run.sh: $DAEMON not built; run 'make build' first" >&2
  exit 2
fi
mkdir -p data
cat <<HINT
Starting edgesyncd with data under $(pwd)/data (Ctrl-C stops it).
In another terminal, from this directory, try:
  $CLI status
  $CLI put model/demo ./docs          # any file or directory
  $CLI ls
  $CLI show model/demo
  $CLI get model/demo /tmp/demo-out
  $CLI checkout model/demo /tmp/demo-current --watch
  $CLI history model/demo
HINT
exec "$DAEMON" --data-dir ./data "${@:2}"
