#!/usr/bin/env bash
# `make bench-fanout`: one origin sends one model to N edges over shaped links, each node in a
# network namespace of its own (as root). The origin's uplink is capped with tc tbf (no netem in
# this kernel: bandwidth only, no delay or loss), every edge's link both ways too; the nodes sit
# on one bridge. Edges dial only the origin and carry one `site` label, so they find one another
# through the origin's Hello (network.max_peers) and swarm. For each edge count it measures, for
# edgesync, for rsync from the origin to every edge in parallel, and for Syncthing (every device
# sharing one folder with every other, discovery and relays off):
#   fanout_s                time from the put (edgesync), the first rsync start or the end of
#                           the origin's scan (Syncthing) to the last edge holding the model
#   origin_bytes_over_size  bytes the origin's interface sent from the put on / model size
#   daemons_cpu_s, cores_busy  (edgesync) CPU seconds all daemons used meanwhile, and that over
#                           fanout_s: how many of the machine's cores the fan-out kept busy
#   edges_rx_over_size      (edgesync) bytes all edges' interfaces received meanwhile / (edges x
#                           model size): above 1 by framing and TLS, more if chunks came twice
# and single_s, the same for one edge alone. Prints one JSON line.
#
#   scripts/bench-fanout.sh [--build-dir DIR]
# Environment: FANOUT_MODEL_MIB (512), FANOUT_EDGES ("8 16"), FANOUT_ORIGIN_MBIT (200),
# FANOUT_EDGE_MBIT (1000), FANOUT_MAX_PEERS (the edges' network.max_peers, default the
# daemon's), FANOUT_TOOLS ("edgesync rsync syncthing"), FANOUT_DIR (a fresh dir under /tmp).
set -euo pipefail

build_dir=build
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-fanout: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
EDGESYNCD=$(cd "$build_dir" && pwd)/syncd/edgesyncd
EDGESYNC=$(cd "$build_dir" && pwd)/cli/edgesync
[ "$(id -u)" -eq 0 ] || { echo "bench-fanout: network namespaces need root" >&2; exit 1; }
for tool in ip tc rsync syncthing python3; do
  command -v $tool >/dev/null || { echo "bench-fanout: $tool not found (scripts/setup.sh)" >&2; exit 1; }
done
# The system interpreter: a version manager's shim (pyenv) runs a few processes per call, and the
# polling loops below would take that CPU from the daemons they measure.
PYTHON=$(command -v /usr/bin/python3 || command -v python3)
python3() { "$PYTHON" "$@"; }
unset XDG_RUNTIME_DIR RUNTIME_DIRECTORY STATE_DIRECTORY CONFIGURATION_DIRECTORY NOTIFY_SOCKET \
  WATCHDOG_USEC EDGESYNC_SOCKET

MODEL_MIB=${FANOUT_MODEL_MIB:-512}
EDGE_COUNTS=${FANOUT_EDGES:-"8 16"}
ORIGIN_MBIT=${FANOUT_ORIGIN_MBIT:-200}
EDGE_MBIT=${FANOUT_EDGE_MBIT:-1000}
MAX_PEERS=${FANOUT_MAX_PEERS:-}
TOOLS=" ${FANOUT_TOOLS:-edgesync rsync syncthing} "
dir=${FANOUT_DIR:-$(mktemp -d /tmp/esfo-XXXXXX)}
mkdir -p "$dir"
BRIDGE=esfo-br
SUBNET=10.99.0
KEY=model/fanout

pids=()
namespaces=()
cleanup() {
  local pid ns
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  namespaces=()
  ip link del $BRIDGE 2>/dev/null || true
}
trap 'cleanup; rm -rf "$dir"' EXIT

fail() {
  echo "bench-fanout: FAIL: $*" >&2
  local log
  for log in "$dir"/run/*.log; do
    [ -e "$log" ] && { echo "---- $log" >&2; tail -n 15 "$log" >&2; }
  done
  exit 1
}

# Node i (0 = origin) lives in namespace esfo-i at $SUBNET.(i+1), its eth0 shaped to `mbit` on
# egress and the bridge side shaped to `in_mbit` towards it.
add_node_namespace() {  # add_node_namespace I OUT_MBIT IN_MBIT
  local i=$1 out=$2 in=$3 ns=esfo-$1
  ip netns add "$ns"
  namespaces+=("$ns")
  ip link add "esfo-h$i" type veth peer name eth0 netns "$ns"
  ip link set "esfo-h$i" master $BRIDGE up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$SUBNET.$((i + 1))/24" dev eth0
  ip -n "$ns" link set eth0 up
  tc -n "$ns" qdisc add dev eth0 root tbf rate "${out}mbit" burst 512kb latency 200ms
  tc qdisc add dev "esfo-h$i" root tbf rate "${in}mbit" burst 512kb latency 200ms
}

setup_network() {  # setup_network EDGES
  ip link add $BRIDGE type bridge
  ip link set $BRIDGE up
  add_node_namespace 0 "$ORIGIN_MBIT" "$EDGE_MBIT"
  local i
  for ((i = 1; i <= $1; i++)); do add_node_namespace "$i" "$EDGE_MBIT" "$EDGE_MBIT"; done
}

origin_tx_bytes() { ip netns exec esfo-0 cat /sys/class/net/eth0/statistics/tx_bytes; }

cli() {  # cli NODE args...
  local node=$1; shift
  "$EDGESYNC" --socket "$dir/run/$node.sock" "$@"
}

start_daemon() {  # start_daemon I [--peer ADDRESS...]: node 0 is the origin, others edges
  local i=$1 name=node-$1 role=edge; shift
  [ "$i" -eq 0 ] && role=cloud
  local cluster=$dir/run/$name/cluster
  "$EDGESYNC" cluster join --node-id "$name" --role $role --out "$cluster" >/dev/null
  "$EDGESYNC" cluster sign "$dir/run/ca" "$cluster/node.csr" --days 2 --out "$cluster/node.crt" >/dev/null
  cp "$dir/run/ca/ca.crt" "$cluster/ca.crt"
  ip netns exec "esfo-$i" "$EDGESYNCD" --data-dir "$dir/run/$name" --node-name "$name" \
    --control-socket "$dir/run/$name.sock" --peer-listen "$SUBNET.$((i + 1)):7443" \
    --http-status off --label "site=bench" "$@" >"$dir/run/$name.log" 2>&1 &
  pids+=("$!")
  local deadline=$((SECONDS + 30))
  until cli "$name" status >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "$name did not open its control socket"
    sleep 0.1
  done
}

connected_peers() {  # connected_peers NODE
  cli "$1" peers --json | python3 -c 'import json,sys; print(sum(p["connected"] for p in json.load(sys.stdin)["peers"]))'
}

holders() {  # the nodes the origin knows hold the version it wrote last, itself included
  cli node-0 where "$KEY" --json | python3 -c '
import json, sys
w = json.load(sys.stdin)
mine = next(n for n in w["nodes"] if n.get("local"))
print(sum(1 for n in w["nodes"] if set(mine["versions"]) & set(n["versions"])))'
}

now() { date +%s.%N; }

daemons_cpu_s() {  # CPU seconds (user + system) the running daemons have used so far
  local pid total=0 ticks
  for pid in "${pids[@]}"; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + ticks))
  done
  python3 -c "print($total / $(getconf CLK_TCK))"
}

# One edgesync fan-out to `edges` edges: sets seconds and ratio (origin bytes over model size).
edgesync_run() {  # edgesync_run EDGES
  local edges=$1 i
  rm -rf "$dir/run" && mkdir -p "$dir/run"
  setup_network "$edges"
  "$EDGESYNC" cluster init "$dir/run/ca" --cluster-id fanout >/dev/null
  start_daemon 0
  for ((i = 1; i <= edges; i++)); do
    start_daemon "$i" --peer "$SUBNET.1:7443" ${MAX_PEERS:+--max-peers "$MAX_PEERS"}
    local deadline=$((SECONDS + 30))
    until [ "$(connected_peers node-0)" -eq "$i" ]; do
      [ $SECONDS -lt $deadline ] || fail "node-$i did not link to the origin"
      sleep 0.1
    done
  done
  # Bytes are counted from before the put: the origin starts sending as soon as it commits.
  local tx0 t0 cpu0 rx0=0 deadline=$((SECONDS + 3600))
  tx0=$(origin_tx_bytes)
  for ((i = 1; i <= edges; i++)); do
    rx0=$((rx0 + $(ip netns exec "esfo-$i" cat /sys/class/net/eth0/statistics/rx_bytes)))
  done
  cli node-0 put "$KEY" "$dir/model" >/dev/null
  t0=$(now)
  cpu0=$(daemons_cpu_s)
  until [ "$(holders)" -eq $((edges + 1)) ]; do
    [ $SECONDS -lt $deadline ] || fail "the model did not reach every edge in an hour"
    sleep 0.2
  done
  measure "$t0" "$tx0"
  cpu_s=$(python3 -c "print(round($(daemons_cpu_s) - $cpu0, 1))")
  edges_rx=0
  for ((i = 1; i <= edges; i++)); do
    edges_rx=$((edges_rx + $(ip netns exec "esfo-$i" cat /sys/class/net/eth0/statistics/rx_bytes)))
  done
  edges_rx=$(python3 -c "print(round(($edges_rx - $rx0) / ($edges * ($MODEL_MIB << 20)), 3))")
  cleanup
}

measure() {  # measure T0 TX0: sets seconds since T0 and origin bytes since TX0 over model size
  seconds=$(python3 -c "print(round($(now) - $1, 1))")
  ratio=$(python3 -c "print(round(($(origin_tx_bytes) - $2) / ($MODEL_MIB << 20), 2))")
}

# rsync from an rsync daemon in the origin's namespace to every edge at once.
rsync_run() {  # rsync_run EDGES
  local edges=$1 i
  rm -rf "$dir/run" && mkdir -p "$dir/run"
  setup_network "$edges"
  cat >"$dir/run/rsyncd.conf" <<EOF
use chroot = no
[model]
path = $dir/model
read only = yes
EOF
  ip netns exec esfo-0 rsync --daemon --no-detach --config="$dir/run/rsyncd.conf" --address "$SUBNET.1" \
    --port 873 >"$dir/run/rsyncd.log" 2>&1 &
  pids+=("$!")
  local deadline=$((SECONDS + 10))
  until ip netns exec esfo-1 rsync "rsync://$SUBNET.1/" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "rsync daemon did not start"
    sleep 0.1
  done
  local tx0 t0 copies=()
  tx0=$(origin_tx_bytes)
  t0=$(now)
  for ((i = 1; i <= edges; i++)); do
    ip netns exec "esfo-$i" rsync -a "rsync://$SUBNET.1/model/" "$dir/run/edge-$i/" &
    copies+=("$!")
  done
  for i in "${copies[@]}"; do wait "$i" || fail "an rsync copy failed"; done
  measure "$t0" "$tx0"
  cleanup
}

# Syncthing: device i listens on $SUBNET.(i+1):22000 and knows every other device there; its
# REST API is on 127.0.0.1:8384 of its own namespace.
syncthing_config() {  # syncthing_config HOME I APIKEY FOLDER DEVICE_ID...
  python3 - "$@" <<'PY'
import sys, xml.etree.ElementTree as ET
home, me, apikey, folder, *ids = sys.argv[1:]
me = int(me)
path = home + "/config.xml"
tree = ET.parse(path)
root = tree.getroot()
for d in root.findall("device"):
    root.remove(d)
f = ET.SubElement(root, "folder", id="model", label="model", path=folder, type="sendreceive",
                  rescanIntervalS="3600", fsWatcherEnabled="false")
ET.SubElement(f, "filesystemType").text = "basic"
for i, device in enumerate(ids):
    ET.SubElement(f, "device", id=device, introducedBy="")
    d = ET.SubElement(root, "device", id=device, name=f"node-{i}", compression="metadata", introducer="false")
    ET.SubElement(d, "address").text = f"tcp://10.99.0.{i + 1}:22000"
root.find("gui/apikey").text = apikey
opts = root.find("options")
for key, value in {"listenAddress": f"tcp://10.99.0.{me + 1}:22000", "globalAnnounceEnabled": "false",
                   "localAnnounceEnabled": "false", "relaysEnabled": "false", "natEnabled": "false",
                   "urAccepted": "-1", "startBrowser": "false", "autoUpgradeIntervalH": "0",
                   "crashReportingEnabled": "false"}.items():
    opts.find(key).text = value
tree.write(path)
PY
}

st_api() {  # st_api I METHOD PATH: the REST API of device I
  ip netns exec "esfo-$1" "$PYTHON" -c '
import sys, urllib.request
request = urllib.request.Request("http://127.0.0.1:8384" + sys.argv[2], method=sys.argv[1], headers={"X-API-Key": "fanout"})
print(urllib.request.urlopen(request, timeout=3600).read().decode())' "$2" "$3"
}

syncthing_run() {  # syncthing_run EDGES
  local edges=$1 i ids=()
  rm -rf "$dir/run" && mkdir -p "$dir/run"
  setup_network "$edges"
  for ((i = 0; i <= edges; i++)); do
    syncthing generate --home="$dir/run/st-$i" --no-default-folder >/dev/null 2>&1
    ids+=("$(syncthing --home="$dir/run/st-$i" --device-id)")
  done
  for ((i = 0; i <= edges; i++)); do
    syncthing_config "$dir/run/st-$i" "$i" fanout "$dir/run/st-$i/folder" "${ids[@]}"
    ip netns exec "esfo-$i" syncthing serve --home="$dir/run/st-$i" --no-browser --no-restart \
      --no-upgrade >"$dir/run/st-$i.log" 2>&1 &
    pids+=("$!")
  done
  local deadline=$((SECONDS + 120))
  until [ "$(st_api 0 GET /rest/system/connections 2>/dev/null |
            python3 -c 'import json,sys; print(sum(c["connected"] for c in json.load(sys.stdin)["connections"].values()))' \
            2>/dev/null || echo 0)" -eq "$edges" ]; do
    [ $SECONDS -lt $deadline ] || fail "Syncthing devices did not connect to the origin"
    sleep 0.5
  done
  ln "$dir/model/weights.bin" "$dir/run/st-0/folder/weights.bin"
  st_api 0 POST "/rest/db/scan?folder=model" >/dev/null  # returns once the scan is done
  local tx0 t0
  tx0=$(origin_tx_bytes)
  t0=$(now)
  deadline=$((SECONDS + 3600))
  for ((i = 1; i <= edges; i++)); do
    until st_api "$i" GET "/rest/db/status?folder=model" 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
sys.exit(0 if s["globalBytes"] >= int(sys.argv[1]) and s["needBytes"] == 0 and s["state"] == "idle" else 1)' \
        "$((MODEL_MIB << 20))"; do
      [ $SECONDS -lt $deadline ] || fail "Syncthing did not bring the model to node-$i in an hour"
      sleep 0.5
    done
  done
  measure "$t0" "$tx0"
  cleanup
}

mkdir -p "$dir/model"
head -c "$((MODEL_MIB << 20))" /dev/urandom >"$dir/model/weights.bin"

json="{\"model_mib\":$MODEL_MIB,\"origin_mbit\":$ORIGIN_MBIT,\"edge_mbit\":$EDGE_MBIT"
uses() { [[ $TOOLS == *" $1 "* ]]; }
if uses edgesync; then
  edgesync_run 1
  single_s=$seconds
  json+=",\"single_s\":$single_s,\"single_cpu_s\":$cpu_s"
fi
if uses rsync; then
  rsync_run 1
  json+=",\"rsync_single_s\":$seconds"
fi
if uses syncthing; then
  syncthing_run 1
  json+=",\"syncthing_single_s\":$seconds"
fi
json+=",\"runs\":["
sep=
for edges in $EDGE_COUNTS; do
  json+="$sep{\"edges\":$edges"
  if uses edgesync; then
    edgesync_run "$edges"
    json+=",\"fanout_s\":$seconds,\"origin_bytes_over_size\":$ratio"
    json+=",\"fanout_over_single\":$(python3 -c "print(round($seconds / $single_s, 2))")"
    json+=",\"daemons_cpu_s\":$cpu_s,\"cores_busy\":$(python3 -c "print(round($cpu_s / $seconds, 2))")"
    json+=",\"edges_rx_over_size\":$edges_rx"
  fi
  if uses rsync; then
    rsync_run "$edges"
    json+=",\"rsync_parallel_s\":$seconds,\"rsync_origin_bytes_over_size\":$ratio"
  fi
  if uses syncthing; then
    syncthing_run "$edges"
    json+=",\"syncthing_s\":$seconds,\"syncthing_origin_bytes_over_size\":$ratio"
  fi
  json+="}"
  sep=,
done
json+="]}"
echo "$json"
