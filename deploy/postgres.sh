#!/usr/bin/env bash
# A throwaway PostgreSQL server for development, tests and CI, on a free loopback port.
#
#   deploy/postgres.sh start  [DIR]  install PostgreSQL from Debian if it is missing, start a cluster in DIR and
#                                    print its connection string (if one already runs there, just print it)
#   deploy/postgres.sh stop   [DIR]  stop the cluster and delete DIR
#   deploy/postgres.sh status [DIR]  say whether it runs (exit 0) or not (exit 3)
#   deploy/postgres.sh url    [DIR]  print the connection string of the running cluster
#
# DIR defaults to ${ACTORSALES_PG_DIR:-/tmp/actorsales-pg}; ACTORSALES_PG_MAX_CONNECTIONS sets max_connections (default
# 300). The server listens on 127.0.0.1 only, with its Unix
# socket inside the data directory and trust authentication (it is for this machine's tests, never for data that
# matters). Database and role: actorsales, password actorsales. stdout carries only the connection string (or the
# status line); progress and errors go to stderr. Runs as root too: the server then runs as the postgres user.
set -euo pipefail

readonly command=${1:-}
readonly dir=${2:-${ACTORSALES_PG_DIR:-/tmp/actorsales-pg}}
readonly data="$dir/data"
readonly url_file="$dir/connection-string"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# A PostgreSQL binary: from the newest /usr/lib/postgresql/*/bin (Debian keeps the server tools there, off PATH,
# and puts version-picking wrappers on PATH), else from PATH. All tools then come from the same version.
pg_bin() {
  local found
  found=$(find /usr/lib/postgresql -maxdepth 3 -path "*/bin/$1" 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$found" ]; then
    found=$(command -v "$1" 2>/dev/null || true)
  fi
  printf '%s' "$found"
}

ensure_installed() {
  if [ -n "$(pg_bin initdb)" ] && [ -n "$(pg_bin pg_ctl)" ]; then
    return
  fi
  is_root || die "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
  log "PostgreSQL not found: installing it from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  [ -n "$(pg_bin initdb)" ] && [ -n "$(pg_bin pg_ctl)" ] || die "installed postgresql but found no initdb/pg_ctl under /usr/lib/postgresql"
}

# initdb and postgres refuse to run as root; as root, run them as the postgres user.
as_owner() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ensure_owner_account() {
  is_root || return 0
  if ! id postgres >/dev/null 2>&1; then
    log "creating the postgres system user"
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
}

# A TCP port nothing on 127.0.0.1 listens on right now (start retries if another process takes it first).
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  for _ in $(seq 1 500); do
    port=$(( (RANDOM % 20000) + 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "found no free TCP port on 127.0.0.1"
}

connection_string() {
  printf 'Host=127.0.0.1;Port=%s;Database=actorsales;Username=actorsales;Password=actorsales' "$1"
}

running() {
  [ -f "$url_file" ] && [ -f "$data/PG_VERSION" ] || return 1
  local pg_ctl
  pg_ctl=$(pg_bin pg_ctl)
  [ -n "$pg_ctl" ] && as_owner "$pg_ctl" -D "$data" status >/dev/null 2>&1
}

# Only ever delete a directory this script made (or an empty one): DIR is user input.
ours_or_empty() {
  [ ! -e "$dir" ] || [ -f "$data/PG_VERSION" ] || [ -f "$url_file" ] || [ -z "$(ls -A "$dir" 2>/dev/null)" ]
}

start() {
  if running; then
    cat "$url_file"; echo
    return
  fi
  ensure_installed
  ensure_owner_account
  ours_or_empty || die "$dir exists and does not hold a cluster of this script; not touching it"
  local initdb pg_ctl psql pg_isready
  initdb=$(pg_bin initdb); pg_ctl=$(pg_bin pg_ctl); psql=$(pg_bin psql); pg_isready=$(pg_bin pg_isready)

  # A cluster left over from an earlier run that no longer runs (reboot, crash) is thrown away: it held test data.
  rm -rf "$dir"
  mkdir -p "$dir"
  if is_root; then
    chown postgres:postgres "$dir"
    runuser -u postgres -- test -w "$dir" || die "the postgres user cannot reach $dir; pick a DIR under /tmp"
  fi
  as_owner "$initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start -o \
      "-c listen_addresses=127.0.0.1 -p $port -k '$data' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${ACTORSALES_PG_MAX_CONNECTIONS:-300}" >&2; then
      break
    fi
    log "start on port $port failed (attempt $attempt); see $dir/server.log"
    [ "$attempt" -lt 5 ] || { tail -n 20 "$dir/server.log" >&2 || true; die "PostgreSQL did not start"; }
  done

  for _ in $(seq 1 120); do
    as_owner "$pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres && break
    sleep 0.5
  done
  as_owner "$pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres || die "PostgreSQL on 127.0.0.1:$port does not accept connections"

  as_owner "$psql" -h "$data" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >&2 <<'SQL'
CREATE ROLE actorsales LOGIN PASSWORD 'actorsales' CREATEDB;
CREATE DATABASE actorsales OWNER actorsales;
SQL
  connection_string "$port" >"$url_file"
  log "PostgreSQL $("$pg_ctl" --version | awk '{print $3}') running on 127.0.0.1:$port (cluster in $dir)"
  cat "$url_file"; echo
}

stop() {
  if [ ! -e "$dir" ]; then
    log "nothing in $dir"
    return
  fi
  ours_or_empty || die "$dir does not hold a cluster of this script; not touching it"
  local pg_ctl
  pg_ctl=$(pg_bin pg_ctl)
  if [ -f "$data/PG_VERSION" ] && [ -n "$pg_ctl" ]; then
    as_owner "$pg_ctl" -D "$data" -m fast -w -t 60 stop >&2 2>/dev/null || true
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status)
    if running; then
      echo "running: $(cat "$url_file") ($dir)"
    else
      echo "not running ($dir)"
      exit 3
    fi
    ;;
  url)
    running || die "no PostgreSQL running in $dir (deploy/postgres.sh start $dir)"
    cat "$url_file"; echo
    ;;
  *) echo "usage: $0 start|stop|status|url [DIR]" >&2; exit 64 ;;
esac
