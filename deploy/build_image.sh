#!/usr/bin/env bash
# Builds the container image edgesync:<VERSION> from the Containerfile (make image) with
# buildah, or podman when buildah is missing. Extra arguments go to the build command (e.g.
# --jobs or --isolation chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(head -n 1 VERSION)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if command -v buildah >/dev/null; then
  build=(buildah build)
elif command -v podman >/dev/null; then
  build=(podman build)
else
  echo "make image: needs buildah or podman (apt-get install buildah)" >&2
  exit 1
fi
"${build[@]}" --build-arg EDGESYNC_COMMIT="$commit" -t "edgesync:$version" -f Containerfile "$@" .
echo "image edgesync:$version (commit $commit)"
