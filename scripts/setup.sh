#!/usr/bin/env bash
# Installs every Debian package edgesync needs to build, test and benchmark.
# Idempotent and non-interactive; runs `apt-get update` only when a package is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang lld
  libboost-dev librocksdb-dev libgit2-dev libxxhash-dev libssl-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libyaml-cpp-dev libsystemd-dev libpugixml-dev libprotobuf-dev protobuf-compiler
  git rsync openssh-server openssh-client util-linux valgrind python3 python3-yaml procps systemd prometheus
  iproute2 faketime chromium syncthing
  libcurl4-openssl-dev s3cmd python3-botocore
  help2man lintian dpkg-dev file bash-completion
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js and npm run the dashboard's browser test (playwright-core, installed by npm at test
# time). Debian 12's `nodejs` (v18) and `npm` packages do; a node that brings its own npm
# (NodeSource's nodejs, which conflicts with Debian's npm package) is left as it is.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

# kubectl validates deploy/kubernetes/ offline (Debian's kubernetes-client). A kubectl that is
# already installed from elsewhere (a cloud SDK's package owns /usr/bin/kubectl and conflicts
# with kubernetes-client) is left as it is.
if ! command -v kubectl >/dev/null; then
  missing+=(kubernetes-client)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
