#!/usr/bin/env bash
# Starts a throwaway one-node Ceph cluster and a RADOS Gateway on 127.0.0.1, everything under
# DIR (created; must not exist or be empty), for running the S3 client suite against RGW:
#   start_rgw.sh DIR [SECONDS]     (default 120: fail with the logs' tails after that)
# One monitor, one OSD on memstore (RAM; no block device or file needed), radosgw with the
# beast frontend, and an S3 user. No mgr (I/O does not need one) and no systemd: the daemons
# run in the foreground of background jobs, niced, their pids in DIR/pids, logs in DIR/log.
# On success DIR/s3.env (mode 0600) holds the endpoint and the user's keys as KEY=VALUE lines,
# read by tests/support/s3rver_server.cpp through EDGESYNC_TEST_S3_ENV_FILE. stop_rgw.sh DIR
# stops it all and removes DIR; it is run here too when the start fails.
# Needs: ceph-mon, ceph-osd, radosgw, ceph-common (Debian 12: 16.2.15), jq, python3.
set -euo pipefail
dir=${1:?usage: start_rgw.sh DIR [SECONDS]}
limit=${2:-120}
here=$(cd "$(dirname "$0")" && pwd)
deadline=$((SECONDS + limit))

fail() {
  echo "start_rgw: $*" >&2
  exit 1
}
# Any exit before the end (fail, or a command failing under set -e): the logs' last lines,
# then everything stopped and DIR removed.
started=0
cleanup() {
  local rc=$?
  [ "$started" = 1 ] && return
  echo "start_rgw: failed (exit $rc)" >&2
  for log in "$dir"/log/*.log "$dir"/log/*.out; do
    [ -s "$log" ] || continue
    echo "--- last lines of $log" >&2
    tail -n 25 "$log" >&2
  done
  bash "$here/stop_rgw.sh" "$dir" || true
}

for tool in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool jq python3; do
  command -v "$tool" >/dev/null || { echo "start_rgw: $tool not found (apt-get install ceph-mon ceph-osd radosgw ceph-common jq)" >&2; exit 1; }
done
if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  echo "start_rgw: $dir is not empty" >&2
  exit 1
fi
mkdir -p "$dir"/{log,run,mon,osd}
trap cleanup EXIT
dir=$(cd "$dir" && pwd)
: >"$dir/pids"

# Free loopback ports for the monitor and the gateway (the OSD binds its own in 6800-7300).
read -r mon_port rgw_port < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)
fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
conf=$dir/ceph.conf

# cephx is off between the daemons: the cluster lives for one test run on loopback. S3
# requests are still signed and checked by RGW with the user's keys.
cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
crash dir = $dir/crash
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0

[mon]
mon data = $dir/mon/\$cluster-\$id

[osd]
osd data = $dir/osd/\$cluster-\$id
osd objectstore = memstore
# What memstore reports as its size; it holds everything in the OSD's memory. The suite writes
# about half a GiB, and deleted objects' data stays until RGW's GC (below) removes it.
memstore device bytes = 4294967296

[client.rgw.a]
# radosgw's own defaults ask for cephx and an encrypted monitor session (ms_mon_client_mode =
# secure), which a cluster without cephx cannot give: the monitor refuses it with EACCES.
auth client required = none
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
# Virtual-hosted style: <bucket>.s3.localhost (libcurl resolves *.localhost to loopback).
rgw dns name = s3.localhost
rgw data = $dir/rgw
# Deleted data is collected after 30 s, not 2 h: the tests delete their buckets' objects.
rgw gc obj min wait = 30
rgw gc processor period = 30
CONF

# Runs a daemon in the foreground as a background job, niced, and records its pid.
daemon() {
  local name=$1
  shift
  nice -n 10 "$@" -f -c "$conf" </dev/null >>"$dir/log/$name.out" 2>&1 &
  echo "$! $name" >>"$dir/pids"
}

# ceph and radosgw-admin wait forever for an unreachable cluster: bound each call.
# (At least a second: wait_for below is what gives up at the deadline.)
remaining() { local r=$((deadline - SECONDS)); echo $((r > 1 ? r : 1)); }
ceph_cmd() { timeout "$(remaining)" ceph -c "$conf" --connect-timeout 10 "$@"; }
rgw_admin() { timeout "$(remaining)" radosgw-admin -c "$conf" "$@"; }
wait_for() {
  local what=$1
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: not within $limit s"
    while read -r pid name; do
      kill -0 "$pid" 2>/dev/null || fail "$what: $name (pid $pid) exited"
    done <"$dir/pids"
    sleep 0.5
  done
}

monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" >"$dir/log/mkfs-mon.out" 2>&1 ||
  fail "ceph-mon --mkfs failed: $(cat "$dir/log/mkfs-mon.out")"
daemon mon.a ceph-mon -i a
wait_for "monitor" ceph_cmd mon stat

osd_uuid=$(python3 -c 'import uuid; print(uuid.uuid4())')
osd_id=$(ceph_cmd osd new "$osd_uuid")
mkdir -p "$dir/osd/ceph-$osd_id"
ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >"$dir/log/mkfs-osd.out" 2>&1 ||
  fail "ceph-osd --mkfs failed: $(cat "$dir/log/mkfs-osd.out")"
daemon "osd.$osd_id" ceph-osd -i "$osd_id"
osd_up() { [ "$(ceph_cmd osd dump -f json | jq '[.osds[] | select(.up == 1)] | length')" = 1 ]; }
wait_for "OSD $osd_id up" osd_up

mkdir -p "$dir/rgw"
daemon rgw.a radosgw -n client.rgw.a
rgw_answers() { python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$rgw_port/', timeout=2)"; }
wait_for "radosgw on 127.0.0.1:$rgw_port" rgw_answers

# radosgw-admin prints the new user as JSON, keys included: straight into jq, then a 0600 file.
user=$(rgw_admin user create --uid=edgesync-test --display-name="edgesync tests")
umask 077
{
  echo "EDGESYNC_TEST_S3_ENDPOINT=http://127.0.0.1:$rgw_port"
  echo "EDGESYNC_TEST_S3_VHOST_DOMAIN=s3.localhost"
  echo "EDGESYNC_TEST_S3_REGION=us-east-1"
  jq -r '.keys[0] | "EDGESYNC_TEST_S3_ACCESS_KEY=\(.access_key)\nEDGESYNC_TEST_S3_SECRET_KEY=\(.secret_key)"' <<<"$user"
} >"$dir/s3.env"
unset user
started=1
echo "start_rgw: RGW at http://127.0.0.1:$rgw_port after $SECONDS s; keys in $dir/s3.env"
