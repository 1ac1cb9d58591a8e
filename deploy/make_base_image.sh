#!/usr/bin/env bash
# Makes the debian:12 base image locally with debootstrap from a Debian mirror, for machines
# that reach Debian's mirrors but no container registry. Tags it docker.io/library/debian:12,
# the name the Containerfile asks for; build with `make image IMAGE_FLAGS=--pull=never`.
# Needs root, debootstrap and buildah. Usage: deploy/make_base_image.sh [MIRROR]
set -euo pipefail
mirror=${1:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
container=$(buildah from scratch)
buildah add "$container" "$work/rootfs.tar" / >/dev/null
buildah config --cmd /bin/bash "$container"
buildah commit --rm "$container" docker.io/library/debian:12
