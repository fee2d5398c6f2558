#!/usr/bin/env bash
# Prints the path of a Docker Compose v2 (>= 2.24: compose.yaml's `env_file: {required:
# false}`) to run as a standalone `docker-compose` program, fetching one when none is found:
#  1. $COMPOSE_BIN, when set;
#  2. a `docker-compose` on PATH or the CLI plugin that reports v2.24 or newer;
#  3. Debian 13 (trixie)'s `docker-compose` package (2.26.1: one static Go program), downloaded
#     with apt-get through a private apt configuration under CACHE_DIR (the machine's own apt
#     sources and state are untouched) and unpacked there. Debian 12 ships only Compose v1.
# Usage: compose_cli.sh CACHE_DIR
set -euo pipefail
cache="${1:?usage: compose_cli.sh CACHE_DIR}"

is_v2() {  # "Docker Compose version v2.26.1" / "2.26.1": v2.24 or newer
  local v
  v="$("$1" version --short 2>/dev/null | sed 's/^v//')" || return 1
  local major="${v%%.*}" rest="${v#*.}"
  local minor="${rest%%.*}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  ((major > 2 || (major == 2 && minor >= 24)))
}

if [ -n "${COMPOSE_BIN:-}" ]; then
  is_v2 "$COMPOSE_BIN" || { echo "compose-cli: $COMPOSE_BIN is not Compose >= 2.24" >&2; exit 1; }
  echo "$COMPOSE_BIN"; exit 0
fi
for candidate in "$(command -v docker-compose || true)" \
  /usr/libexec/docker/cli-plugins/docker-compose /usr/lib/docker/cli-plugins/docker-compose \
  "$cache/compose/usr/libexec/docker/cli-plugins/docker-compose"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && is_v2 "$candidate"; then
    echo "$candidate"; exit 0
  fi
done

command -v apt-get >/dev/null || { echo "compose-cli: no Compose v2 and no apt-get to fetch one" >&2; exit 1; }
apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
cat > "$apt_dir/trixie.sources" <<SOURCES
Types: deb
URIs: ${DEBIAN_MIRROR:-http://deb.debian.org/debian}
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/trixie.sources" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  -o Dir::State::status=/dev/null -o APT::Sandbox::User=root)
echo "compose-cli: fetching Debian trixie's docker-compose (Compose v2)" >&2
apt-get -q "${apt_opts[@]}" update >&2
(cd "$apt_dir" && rm -f docker-compose_*.deb && apt-get -q "${apt_opts[@]}" download docker-compose >&2)
rm -rf "$cache/compose"
dpkg-deb -x "$apt_dir"/docker-compose_*.deb "$cache/compose"
rm -rf "$apt_dir"
found="$cache/compose/usr/libexec/docker/cli-plugins/docker-compose"
is_v2 "$found" || { echo "compose-cli: $found is not Compose >= 2.24" >&2; exit 1; }
echo "$found"
