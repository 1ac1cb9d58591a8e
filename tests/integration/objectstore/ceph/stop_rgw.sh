#!/usr/bin/env bash
# Stops what start_rgw.sh DIR started (the pids it recorded, TERM then KILL after 10 s) and
# removes DIR.   stop_rgw.sh DIR
set -uo pipefail
dir=${1:?usage: stop_rgw.sh DIR}
[ -d "$dir" ] || exit 0
pids=()
if [ -f "$dir/pids" ]; then
  while read -r pid _; do pids+=("$pid"); done <"$dir/pids"
fi
# The gateway first, the monitor last, so none of them waits on a peer already gone.
for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null; done
for _ in $(seq 100); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && break
  sleep 0.1
done
for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
rm -rf "$dir"
