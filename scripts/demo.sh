#!/usr/bin/env bash
# The edgesync demo (`make demo`): three nodes on loopback, one `role=cloud` and two
# `role=edge`, each with its own data directory and TLS certificate from a fresh demo cluster
# CA. A joint-inference model (edge part + cloud part) and a small Pascal VOC dataset are put on
# the cloud node; the script waits until both edge nodes have them (the model's edge part only)
# and prints the CLI's view of it and the three dashboard URLs. Ctrl-C stops every node.
#
#   scripts/demo.sh [--build-dir DIR] [--dir DIR] [--check]
#     --build-dir DIR  the CMake build tree: DIR/syncd/edgesyncd, DIR/cli/edgesync (default: build)
#     --dir DIR      demo state: CA, data dirs, logs, sample content (default: ./demo; a
#                    previous demo there is replaced; any other non-empty directory is refused)
#     --check        non-interactive: a temporary directory, verify that the content arrived
#                    where it should (and nothing more), stop, exit 0; any failure exits 1
set -euo pipefail

build_dir=build
demo_dir=./demo
check=0
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift 2 ;;
    --dir) demo_dir=${2:?--dir needs a directory}; shift 2 ;;
    --check) check=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

EDGESYNCD=$build_dir/syncd/edgesyncd
EDGESYNC=$build_dir/cli/edgesync
for bin in "$EDGESYNCD" "$EDGESYNC"; do
  if [ ! -x "$bin" ]; then
    echo "demo: $bin not found; build first (make demo does) or pass --bin-dir" >&2
    exit 1
  fi
done
# The daemons must not take their sockets or state from a systemd session this runs under.
unset XDG_RUNTIME_DIR RUNTIME_DIRECTORY STATE_DIRECTORY CONFIGURATION_DIRECTORY NOTIFY_SOCKET \
  WATCHDOG_USEC EDGESYNC_SOCKET

MODEL=model/demo/helmet-joint
DATASET=dataset/demo/helmet-voc
MARKER=.edgesync-demo

if [ $check -eq 1 ]; then
  demo_dir=$(mktemp -d /tmp/esdemo-XXXXXX)
else
  if [ -e "$demo_dir" ] && [ ! -e "$demo_dir/$MARKER" ] && [ -n "$(ls -A "$demo_dir")" ]; then
    echo "demo: $demo_dir exists and is not a previous demo; pass another --dir" >&2
    exit 1
  fi
  rm -rf "$demo_dir"
  mkdir -p "$demo_dir"
fi
demo_dir=$(cd "$demo_dir" && pwd)
touch "$demo_dir/$MARKER"
# Unix socket paths are limited to 107 bytes: the control sockets live in a short /tmp dir.
sock_dir=$(mktemp -d /tmp/esdemo-sock-XXXXXX)

pids=()
stop_nodes() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  rm -rf "$sock_dir"
  if [ $check -eq 1 ]; then rm -rf "$demo_dir"; fi
}
trap stop_nodes EXIT
trap 'echo; echo "demo: stopping"; exit 130' INT TERM

fail() {
  echo "demo: FAIL: $*" >&2
  local log
  for log in "$demo_dir"/*.log; do
    [ -e "$log" ] || continue
    echo "---- last lines of $log" >&2
    tail -n 20 "$log" >&2
  done
  exit 1
}

cli() {  # cli NODE args...: the edgesync CLI against one node's control socket
  local node=$1; shift
  "$EDGESYNC" --socket "$sock_dir/$node.sock" "$@"
}

# A peer port and a status port per node: 7443-7445 and 7780-7782 when free (stable dashboard
# URLs), else any free port; --check always takes free ones so it never meets a running demo.
preferred="7443 7444 7445 7780 7781 7782"
[ $check -eq 1 ] && preferred="0 0 0 0 0 0"
read -r cloud_peer edge1_peer edge2_peer cloud_http edge1_http edge2_http < <(python3 - $preferred <<'EOF'
import socket, sys
socks = []
for port in map(int, sys.argv[1:]):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)

# ---- certificates: one demo cluster CA, a key and certificate per node ----------------------
"$EDGESYNC" cluster init "$demo_dir/ca" --cluster-id demo >/dev/null
make_identity() {  # make_identity NAME ROLE
  local cluster=$demo_dir/$1/cluster
  "$EDGESYNC" cluster join --node-id "$1" --role "$2" --out "$cluster" >/dev/null
  "$EDGESYNC" cluster sign "$demo_dir/ca" "$cluster/node.csr" --days 30 --out "$cluster/node.crt" \
    >/dev/null
  cp "$demo_dir/ca/ca.crt" "$cluster/ca.crt"
}

start_node() {  # start_node NAME ROLE SITE PEER_PORT HTTP_PORT [PEER_ADDRESS...]
  local name=$1 role=$2 site=$3 peer_port=$4 http_port=$5
  shift 5
  local args=(--data-dir "$demo_dir/$name" --node-name "$name" --label "role=$role"
              --label "site=$site" --control-socket "$sock_dir/$name.sock"
              --peer-listen "127.0.0.1:$peer_port" --http-status "127.0.0.1:$http_port")
  local peer
  for peer in "$@"; do args+=(--peer "$peer"); done
  "$EDGESYNCD" "${args[@]}" >"$demo_dir/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  local deadline=$((SECONDS + 20))
  while [ $SECONDS -lt $deadline ]; do
    if cli "$name" status >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || fail "$name exited at startup"
    sleep 0.2
  done
  fail "$name did not open its control socket in 20 s"
}

# ---- sample content -------------------------------------------------------------------------
# A joint-inference model laid out as docs/catalog.md describes: the edge part runs on the
# device, the cloud part finishes the job. Weights are random bytes of a telling size.
make_model() {
  local dir=$demo_dir/content/helmet-joint
  mkdir -p "$dir/edge" "$dir/cloud"
  head -c $((2 << 20)) /dev/urandom >"$dir/edge/model.om"
  head -c $((12 << 20)) /dev/urandom >"$dir/cloud/model.onnx"
  printf '# Resizes camera frames to 320x320 before the edge model.\nprint("resize")\n' \
    >"$dir/edge/resize.py"
  printf '#!/bin/sh\n# Runs the edge half and sends features to the cloud half.\nexec echo run\n' \
    >"$dir/edge/run.sh"
  printf '# Non-maximum suppression over the cloud model'"'"'s boxes.\nprint("nms")\n' \
    >"$dir/cloud/nms.py"
  printf '#!/bin/sh\n# Serves the cloud half.\nexec echo serve\n' >"$dir/cloud/serve"
  chmod 0755 "$dir/edge/run.sh" "$dir/cloud/serve"
  printf 'Helmet detector, split for joint inference (edgesync demo).\n' >"$dir/README.md"
  cat >"$demo_dir/content/helmet-joint.spec.json" <<'EOF'
{"format": "onnx", "task": "object_detection", "labels": ["helmet", "head", "person"],
 "metrics": {"mAP": 0.78, "latency_ms": 31},
 "metadata": {"team": "safety", "dataset": "dataset/demo/helmet-voc"},
 "parts": {
   "edge": {"format": "om", "preprocess": "resize.py", "entrypoints": ["run.sh"],
            "placement": {"role": "edge"}},
   "cloud": {"postprocess": "nms.py", "entrypoints": ["serve"], "placement": {"role": "cloud"}}}}
EOF
}

# A small Pascal VOC dataset: placeholder JPEG files (start and end markers only) and one
# annotation per image with a few boxes.
make_dataset() {
  local dir=$demo_dir/content/helmet-voc
  mkdir -p "$dir/JPEGImages" "$dir/Annotations" "$dir/ImageSets/Main"
  local objects=("helmet head" "helmet helmet person" "head person" "helmet" "helmet head person"
                 "person person" "helmet helmet helmet head")
  local i name class x
  for i in "${!objects[@]}"; do
    name=$(printf 'site-a-%04d' $((i + 1)))
    printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9' \
      >"$dir/JPEGImages/$name.jpg"
    echo "$name" >>"$dir/ImageSets/Main/train.txt"
    {
      echo "<annotation>"
      echo "  <folder>JPEGImages</folder>"
      echo "  <filename>$name.jpg</filename>"
      echo "  <size><width>640</width><height>480</height><depth>3</depth></size>"
      x=10
      for class in ${objects[$i]}; do
        echo "  <object><name>$class</name><difficult>0</difficult>"
        echo "    <bndbox><xmin>$x</xmin><ymin>40</ymin><xmax>$((x + 60))</xmax><ymax>120</ymax></bndbox>"
        echo "  </object>"
        x=$((x + 80))
      done
      echo "</annotation>"
    } >"$dir/Annotations/$name.xml"
  done
}

# ---- run ------------------------------------------------------------------------------------
echo "demo: state in $demo_dir"
make_identity cloud-1 cloud
make_identity edge-1 edge
make_identity edge-2 edge
start_node cloud-1 cloud dc-1 "$cloud_peer" "$cloud_http"
start_node edge-1 edge hall-3 "$edge1_peer" "$edge1_http" "127.0.0.1:$cloud_peer"
start_node edge-2 edge hall-4 "$edge2_peer" "$edge2_http" "127.0.0.1:$cloud_peer" \
  "127.0.0.1:$edge1_peer"
echo "demo: nodes up: cloud-1 (role=cloud), edge-1 and edge-2 (role=edge)"

make_model
make_dataset
cli cloud-1 put "$MODEL" "$demo_dir/content/helmet-joint" \
  --spec "$demo_dir/content/helmet-joint.spec.json" >/dev/null
cli cloud-1 put "$DATASET" "$demo_dir/content/helmet-voc" --format voc-xml --strict >/dev/null
model_version=$(cli cloud-1 show "$MODEL" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
echo "demo: put $MODEL (version $model_version) and $DATASET on cloud-1"

# Arrival: an edge node has the model once `get --part edge` succeeds there.
wait_for_edge_part() {  # wait_for_edge_part NODE DEST
  local deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do
    rm -rf "$2" "$2.dataset"
    if cli "$1" get "$MODEL" "$2" --part edge >/dev/null 2>&1 &&
       cli "$1" get "$DATASET" "$2.dataset" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  fail "$1 did not receive $MODEL and $DATASET in 60 s"
}

for edge in edge-1 edge-2; do
  wait_for_edge_part "$edge" "$demo_dir/received/$edge"
  echo
  echo "==== $edge: edgesync ls"
  cli "$edge" ls
  echo "==== $edge: edgesync where $MODEL"
  cli "$edge" where "$MODEL"
  echo "==== $edge: edgesync get $MODEL --part edge"
  (cd "$demo_dir/received/$edge" && find . -type f -printf '%M %9s %P\n' | sort -k3)
  echo "==== $edge: edgesync get $MODEL --part cloud (not placed on an edge node)"
  if cli "$edge" get "$MODEL" "$demo_dir/received/$edge.cloud" --part cloud; then
    if [ $check -eq 1 ]; then fail "$edge holds the cloud part, placed on role=cloud only"; fi
  fi
done

echo
echo "==== chunk bytes stored (RocksDB estimate): the edge nodes hold no cloud-part chunks"
for node in cloud-1 edge-1 edge-2; do
  cli "$node" status --json |
    python3 -c 'import json,sys; s=json.load(sys.stdin); print("%-8s %6.1f MiB" % (s["node_name"], s["store"]["chunk_bytes"] / 2**20))'
done

if [ $check -eq 1 ]; then
  for edge in edge-1 edge-2; do
    diff -r "$demo_dir/content/helmet-joint/edge" "$demo_dir/received/$edge" >/dev/null ||
      fail "$edge's edge part differs from what was put"
    diff -r "$demo_dir/content/helmet-voc" "$demo_dir/received/$edge.dataset" >/dev/null ||
      fail "$edge's dataset differs from what was put"
  done
  # The printed dashboard URLs answer with the page.
  for port in "$cloud_http" "$edge1_http" "$edge2_http"; do
    python3 -c 'import sys, urllib.request
page = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
sys.exit(0 if "<title>edgesync</title>" in page else 1)' "http://127.0.0.1:$port/" ||
      fail "the dashboard on port $port did not answer with the page"
  done
  echo
  echo "demo check: OK (edge part and dataset on both edge nodes, cloud part only on cloud-1," \
    "dashboards answering)"
  exit 0
fi

cat <<EOF

Dashboards:
  cloud-1  http://127.0.0.1:$cloud_http/
  edge-1   http://127.0.0.1:$edge1_http/
  edge-2   http://127.0.0.1:$edge2_http/
CLI, e.g.:  $EDGESYNC --socket $sock_dir/edge-1.sock peers
Logs and data: $demo_dir
Press Ctrl-C to stop the three nodes.
EOF
wait -n "${pids[@]}" || true
fail "a node exited"
