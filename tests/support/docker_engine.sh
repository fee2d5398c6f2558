#!/usr/bin/env bash
# A private Docker engine for the Compose test (tests/compose), or the one that already answers.
#
#   docker_engine.sh start DIR   prints `DOCKER_HOST=unix://...` of an engine that answers:
#                                $DOCKER_HOST's, /var/run/docker.sock's or a running dockerd's
#                                own `-H unix://` socket when one does, else a dockerd of our
#                                own (root only) with its data, exec root, socket,
#                                pid file and log under DIR; exits 1 saying why none could start
#   docker_engine.sh stop DIR    stops the dockerd that `start DIR` started (if any); its data
#                                stays in DIR (the build cache of the next run)
#   docker_engine.sh run DIR -- COMMAND...
#                                start, COMMAND with DOCKER_HOST exported (or, when no engine
#                                could start, PARKING_COMPOSE_UNAVAILABLE=<why>: the Compose
#                                test then skips saying so), stop; COMMAND's exit status
#
# DIR must be short (containerd's socket paths live under it), e.g. /tmp/parking-dockerd.
set -uo pipefail
docker_cli="${DOCKER:-/usr/bin/docker}"
[ -x "$docker_cli" ] || docker_cli="$(command -v docker || echo docker)"

answers() { DOCKER_HOST="$1" timeout 10 "$docker_cli" info >/dev/null 2>&1; }

start() {
  local dir="$1"
  if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then
    echo "DOCKER_HOST=$DOCKER_HOST"; return 0
  fi
  if [ -S /var/run/docker.sock ] && answers unix:///var/run/docker.sock; then
    echo "DOCKER_HOST=unix:///var/run/docker.sock"; return 0
  fi
  # A dockerd already running elsewhere (its own -H socket): use it rather than start a second
  # daemon beside it on the same bridge and firewall chains.
  local pid arg next host
  for pid in $(pgrep -x dockerd 2>/dev/null); do
    next=""
    while IFS= read -r -d '' arg; do
      host=""
      case "$arg" in
        -H|--host) next=1; continue ;;
        -H=*|--host=*) host="${arg#*=}" ;;
        *) [ -n "$next" ] && host="$arg" ;;
      esac
      next=""
      if [ -n "$host" ] && [ "${host#unix://}" != "$host" ] && answers "$host"; then
        echo "DOCKER_HOST=$host"; return 0
      fi
    done < "/proc/$pid/cmdline"
  done
  [ "$(id -u)" -eq 0 ] || { echo "no Docker engine answers and starting one needs root" >&2; return 1; }
  command -v dockerd >/dev/null \
    || { echo "no Docker engine answers and dockerd is not installed (apt-get install docker.io)" >&2; return 1; }
  mkdir -p "$dir"
  local sock="unix://$dir/docker.sock"
  if [ -s "$dir/docker.pid" ] && kill -0 "$(cat "$dir/docker.pid")" 2>/dev/null && answers "$sock"; then
    echo "DOCKER_HOST=$sock"; return 0
  fi
  rm -f "$dir/docker.pid" "$dir/docker.sock" "$dir/started"
  setsid dockerd --data-root "$dir/data" --exec-root "$dir/exec" -H "$sock" \
    --pidfile "$dir/docker.pid" >"$dir/dockerd.log" 2>&1 < /dev/null &
  local pid=$!
  for _ in $(seq 1 60); do
    if answers "$sock"; then
      echo "$pid" > "$dir/started"
      echo "DOCKER_HOST=$sock"; return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill "$pid" 2>/dev/null
  echo "dockerd did not start (no kernel support or privileges?); its log ends:" >&2
  tail -n 5 "$dir/dockerd.log" >&2
  return 1
}

stop() {
  local dir="$1" pid
  [ -s "$dir/started" ] || return 0
  pid="$(cat "$dir/started")"
  rm -f "$dir/started"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  echo "docker-engine: dockerd $pid did not stop in 30 s; killing it" >&2
  kill -9 "$pid" 2>/dev/null
  return 0
}

command="${1:-}"; dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: docker_engine.sh start|stop|run DIR [-- COMMAND...]" >&2; exit 2; }
case "$command" in
  start) start "$dir" ;;
  stop) stop "$dir" ;;
  run)
    shift 2; [ "${1:-}" = "--" ] && shift
    why="$(mktemp)"
    if found="$(start "$dir" 2>"$why")"; then
      export "${found?}"
      echo "docker-engine: using $DOCKER_HOST"
    else
      PARKING_COMPOSE_UNAVAILABLE="$(tr '\n' ' ' < "$why")"
      export PARKING_COMPOSE_UNAVAILABLE
      echo "docker-engine: none: $PARKING_COMPOSE_UNAVAILABLE"
    fi
    rm -f "$why"
    "$@"; status=$?
    stop "$dir"
    exit "$status"
    ;;
  *) echo "usage: docker_engine.sh start|stop|run DIR [-- COMMAND...]" >&2; exit 2 ;;
esac
