#!/usr/bin/env bash
# A throwaway PostgreSQL server for development, tests and CI, on a free loopback port.
#
#   deploy/postgres.sh start [DIR]   install PostgreSQL from Debian if missing, start a cluster under DIR
#                                    (default ${ACTORSALES_PG_DIR:-/tmp/actorsales-pg}) and print its connection string
#   deploy/postgres.sh stop  [DIR]   stop it and delete DIR
#   deploy/postgres.sh url   [DIR]   print the connection string of a running cluster
#   deploy/postgres.sh status [DIR]  say whether it runs
#
# Only the connection string goes to stdout; everything else goes to stderr. Database and role: actorsales.
set -euo pipefail

command=${1:-}
dir=${2:-${ACTORSALES_PG_DIR:-/tmp/actorsales-pg}}
log() { printf 'postgres.sh: %s\n' "$*" >&2; }

find_bin() {
  local found
  found=$(command -v "$1" 2>/dev/null || true)
  if [ -z "$found" ]; then
    found=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  printf '%s' "$found"
}

ensure_installed() {
  if [ -n "$(find_bin initdb)" ] && [ -n "$(find_bin pg_ctl)" ]; then
    return
  fi
  log "PostgreSQL not found; installing it from Debian (apt-get install postgresql)"
  if [ "$(id -u)" -ne 0 ]; then
    log "installing needs root: run as root or install the postgresql package first"; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
}

# initdb and the server refuse to run as root: run them as the postgres user then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( (RANDOM % 20000) + 30000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return
    fi
  done
  log "no free port found"; exit 1
}

connection_string() {
  printf 'Host=127.0.0.1;Port=%s;Database=actorsales;Username=actorsales;Password=actorsales\n' "$(cat "$dir/port")"
}

running() {
  [ -f "$dir/port" ] && [ -d "$dir/data" ] && as_owner "$(find_bin pg_ctl)" -D "$dir/data" status >/dev/null 2>&1
}

start() {
  ensure_installed
  if running; then
    connection_string; return
  fi
  local initdb pg_ctl psql port
  initdb=$(find_bin initdb); pg_ctl=$(find_bin pg_ctl); psql=$(find_bin psql)
  rm -rf "$dir"; mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  port=$(free_port)
  as_owner "$initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }
  as_owner "$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q >&2 <<SQL
CREATE ROLE actorsales LOGIN PASSWORD 'actorsales' CREATEDB;
CREATE DATABASE actorsales OWNER actorsales;
SQL
  printf '%s' "$port" > "$dir/port"
  log "PostgreSQL running on 127.0.0.1:$port (data in $dir)"
  connection_string
}

stop() {
  if [ -d "$dir/data" ]; then
    as_owner "$(find_bin pg_ctl)" -D "$dir/data" -m fast -w stop >&2 2>/dev/null || true
  fi
  rm -rf "$dir"
  log "stopped"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  url) running && connection_string || { log "not running"; exit 1; } ;;
  status) if running; then log "running"; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|url|status [DIR]" >&2; exit 64 ;;
esac
