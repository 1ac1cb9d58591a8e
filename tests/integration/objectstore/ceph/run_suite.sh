#!/usr/bin/env bash
# The S3 client suite and the chunk tier's tests (ctest labels objectstore-client and
# objectstore-tier) against Ceph's RADOS Gateway: installs
# the Ceph packages when missing, starts a one-node cluster in a temporary directory
# (start_rgw.sh), runs the suite in BUILD (already built) with EDGESYNC_TEST_S3_ENV_FILE set,
# and stops the cluster whatever happens.   run_suite.sh BUILD    (JOBS: ctest's -j)
# Exits non-zero when Ceph cannot be installed or started (saying why) or a test fails.
set -uo pipefail
build=$(cd "${1:?usage: run_suite.sh BUILD}" && pwd) || exit 1
here=$(cd "$(dirname "$0")" && pwd)
jobs=${JOBS:-$(nproc)}

packages=(ceph-mon ceph-osd radosgw ceph-common jq)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "ceph: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; then
    echo "ceph: FAILED: cannot install ${missing[*]}"
    exit 1
  fi
fi

cluster=$(mktemp -d /tmp/edgesync-rgw.XXXXXX)
trap 'bash "$here/stop_rgw.sh" "$cluster"' EXIT
if ! bash "$here/start_rgw.sh" "$cluster" "${RGW_START_SECONDS:-120}"; then
  echo "ceph: FAILED: the one-node Ceph cluster with RGW did not start (the reason and the logs' tails are above)"
  exit 1
fi
(cd "$build" && EDGESYNC_TEST_S3_ENV_FILE=$cluster/s3.env \
   ctest --output-on-failure --no-tests=error -j "$jobs" --timeout 300 -L 'objectstore-(client|tier)')
