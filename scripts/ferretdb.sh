#!/usr/bin/env bash
# A local FerretDB (v1, SQLite handler) standing in for MongoDB in tests.
#
#   scripts/ferretdb.sh build            builds FerretDB into $FERRETDB_BIN unless the right version is there
#   scripts/ferretdb.sh start DIR PORT   starts it on 127.0.0.1:PORT with its data, log and pid in DIR
#   scripts/ferretdb.sh stop DIR         stops the one started with DIR
set -euo pipefail

readonly FERRETDB_VERSION=v1.24.2
readonly FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_BIN=${FERRETDB_BIN:-$HOME/go/bin/ferretdb}
readonly START_TIMEOUT_SECONDS=${FERRETDB_START_TIMEOUT_SECONDS:-30}

fail() {
  echo "ferretdb.sh: $*" >&2
  exit 1
}

usage() {
  fail "usage: $0 build | start DIR PORT | stop DIR"
}

has_right_version() {
  [[ -x $FERRETDB_BIN ]] || return 1
  local reported
  reported=$("$FERRETDB_BIN" --version 2>/dev/null) || return 1
  grep -qx "version: $FERRETDB_VERSION" <<<"$reported"
}

# `go install module@version` fails here: the module proxy refuses the module's version list,
# which go install asks for to check deprecations. Downloading the exact version and building
# the copy works, and reuses Go's module and build caches.
build() {
  if has_right_version; then
    echo "FerretDB $FERRETDB_VERSION already at $FERRETDB_BIN"
    return
  fi
  command -v go >/dev/null || fail "Go is needed to build FerretDB (none on PATH)"

  local work
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "chmod -R u+w '$work' 2>/dev/null; rm -rf '$work'" EXIT

  mkdir "$work/resolve"
  local module_dir
  module_dir=$(
    cd "$work/resolve"
    go mod init tmp >/dev/null 2>&1
    go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'
  ) || fail "could not download $FERRETDB_MODULE@$FERRETDB_VERSION"
  [[ -n $module_dir && -d $module_dir ]] || fail "could not download $FERRETDB_MODULE@$FERRETDB_VERSION"

  cp -R "$module_dir" "$work/src"
  chmod -R u+w "$work/src"
  # The binary panics at start without a version file; release builds generate it.
  echo "$FERRETDB_VERSION" >"$work/src/build/version/version.txt"

  mkdir -p "$(dirname "$FERRETDB_BIN")"
  (cd "$work/src" && go build -trimpath -buildvcs=false -o "$work/ferretdb" ./cmd/ferretdb)
  mv -f "$work/ferretdb" "$FERRETDB_BIN"
  has_right_version || fail "built $FERRETDB_BIN but it does not report version $FERRETDB_VERSION"
  echo "built FerretDB $FERRETDB_VERSION at $FERRETDB_BIN"
}

port_answers() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local dir=$1 port=$2
  [[ $port =~ ^[0-9]+$ ]] || fail "PORT must be a number, got '$port'"
  [[ -x $FERRETDB_BIN ]] || fail "no FerretDB at $FERRETDB_BIN: run '$0 build' first"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local pid_file=$dir/ferretdb.pid log_file=$dir/ferretdb.log

  if [[ -f $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    fail "FerretDB already running for $dir (pid $(cat "$pid_file"))"
  fi
  port_answers "$port" && fail "something already listens on 127.0.0.1:$port"

  # Loopback only (the debug/metrics listener too), and no telemetry. It logs every connection at INFO.
  FERRETDB_LOG_LEVEL=${FERRETDB_LOG_LEVEL:-warn} "$FERRETDB_BIN" \
    --listen-addr="127.0.0.1:$port" \
    --handler=sqlite \
    --sqlite-url="file:$dir/" \
    --state-dir="$dir" \
    --telemetry=disable \
    --debug-addr=127.0.0.1:0 \
    >"$log_file" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$pid_file"

  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until port_answers "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pid_file"
      cat "$log_file" >&2
      fail "FerretDB exited before listening on 127.0.0.1:$port (log above)"
    fi
    if ((SECONDS >= deadline)); then
      kill "$pid" 2>/dev/null || true
      rm -f "$pid_file"
      cat "$log_file" >&2
      fail "FerretDB did not listen on 127.0.0.1:$port within ${START_TIMEOUT_SECONDS}s (log above)"
    fi
    sleep 0.1
  done
  echo "FerretDB listening on 127.0.0.1:$port (pid $pid, data and log in $dir)"
}

stop() {
  local pid_file=$1/ferretdb.pid
  [[ -f $pid_file ]] || fail "no FerretDB pid file in $1"
  local pid
  pid=$(cat "$pid_file")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "FerretDB (pid $pid) ignored SIGTERM for 10s; killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$pid_file"
  echo "FerretDB (pid $pid) stopped"
}

case ${1:-} in
  build) [[ $# -eq 1 ]] || usage; build ;;
  start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
  stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
  *) usage ;;
esac
