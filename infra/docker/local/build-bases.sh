#!/usr/bin/env bash
# Local stand-ins for the public base images (infra/docker/local/Dockerfile), for a Docker
# engine that reaches Debian's archive but no container registry:
#   parking-local/debian:bookworm    debootstrap --variant=minbase bookworm, docker import
#   parking-local/{python,node,nginx,postgres,mosquitto}:bookworm
# Each is built once and kept in the engine (delete it to rebuild). Usage:
#   build-bases.sh WORK_DIR      (a scratch folder for the root file system; root needed)
# Environment: DOCKER (default /usr/bin/docker: the classic builder with BuildKit),
# DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${1:?usage: build-bases.sh WORK_DIR}"
docker="${DOCKER:-/usr/bin/docker}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
export DOCKER_BUILDKIT=1
mkdir -p "$work"

have() { "$docker" image inspect "$1" >/dev/null 2>&1; }

if ! have parking-local/debian:bookworm; then
  command -v debootstrap >/dev/null || { echo "build-bases: debootstrap is not installed" >&2; exit 1; }
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  echo "build-bases: debootstrap --variant=minbase bookworm"
  start=$SECONDS
  # A second try after a network hiccup (the mirror, not our files, is what fails then).
  for attempt in 1 2; do
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
      && break
    [ "$attempt" -eq 2 ] && { tail -20 "$work/debootstrap.log" >&2; exit 1; }
    echo "build-bases: debootstrap failed; once more" >&2
    rm -rf "$rootfs"
    sleep 10
  done
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/var/cache/apt/*.bin
  tar -C "$rootfs" -c . | "$docker" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - parking-local/debian:bookworm >/dev/null
  rm -rf "$rootfs"
  echo "build-bases: parking-local/debian:bookworm imported ($((SECONDS - start)) s)"
fi

# Node.js for the dashboard's build: the host's (Debian 12 ships 18; Vite needs 20.19+).
node_bin="$(command -v node || true)"
if ! have parking-local/node:bookworm; then
  [ -n "$node_bin" ] || { echo "build-bases: node (20.19+) is not installed" >&2; exit 1; }
  node_bin="$(readlink -f "$node_bin")"
  npm_dir="$(dirname "$node_bin")/../lib/node_modules/npm"
  [ -d "$npm_dir" ] || npm_dir="$(npm root -g)/npm"
  ctx="$work/node-context"
  rm -rf "$ctx" && mkdir -p "$ctx/node/bin" "$ctx/node/lib/node_modules"
  cp "$node_bin" "$ctx/node/bin/node"
  cp -r "$npm_dir" "$ctx/node/lib/node_modules/npm"
  cp "$here/Dockerfile" "$ctx/Dockerfile"
  "$docker" build -q --target node -t parking-local/node:bookworm "$ctx" >/dev/null
  rm -rf "$ctx"
  echo "build-bases: parking-local/node:bookworm ($("$docker" run --rm parking-local/node:bookworm node --version))"
fi

for target in python nginx postgres mosquitto; do
  have "parking-local/$target:bookworm" && continue
  start=$SECONDS
  "$docker" build -q --target "$target" -t "parking-local/$target:bookworm" "$here" >/dev/null
  echo "build-bases: parking-local/$target:bookworm ($((SECONDS - start)) s)"
done
