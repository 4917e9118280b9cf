#!/usr/bin/env bash
# Runs a local ActorSales cluster: PostgreSQL plus N silos (each a co-hosted gRPC gateway) on loopback ports.
#
#   deploy/local-cluster.sh start [--silos N] [--dir DIR]   start (default 2 silos, DIR /tmp/actorsales-cluster)
#   deploy/local-cluster.sh stop  [--dir DIR]               stop the silos, then PostgreSQL if this script started it
#   deploy/local-cluster.sh status [--dir DIR]              list silos and endpoints
#
# Environment:
#   ACTORSALES_POSTGRES   use this connection string instead of starting a throwaway PostgreSQL
#   ACTORSALES_HOST_DLL   run this built actorsales.dll instead of building src/ActorSales.Host (Release)
#   ACTORSALES_BASE_PORT  first port to try (default 20000); each silo takes four free ports from there
#
# DIR/endpoints lists one line per silo: "<index> <grpc url> <grpc-web url> <pid>"; DIR/signing-key holds the
# cluster's freshly generated JWT signing key (mint tokens with: actorsales token --ActorSales:Auth:SigningKey=...).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command=${1:-}
shift || true
silos=2
dir=/tmp/actorsales-cluster
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done

log() { printf 'local-cluster: %s\n' "$*" >&2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

next_free_port() {
  local port=$1
  while ! port_free "$port"; do port=$((port + 1)); done
  echo "$port"
}

host_command() {
  if [ -n "${ACTORSALES_HOST_DLL:-}" ]; then
    echo "dotnet $ACTORSALES_HOST_DLL"
  else
    echo "dotnet $dir/host/actorsales.dll"
  fi
}

start() {
  if [ -f "$dir/endpoints" ]; then
    log "already running (see $dir/endpoints); stop it first"; exit 1
  fi
  mkdir -p "$dir"
  if [ -n "${ACTORSALES_POSTGRES:-}" ]; then
    connection=$ACTORSALES_POSTGRES
  else
    connection=$("$repo/deploy/postgres.sh" start "$dir/pg")
    touch "$dir/started-postgres"
  fi
  if [ -z "${ACTORSALES_HOST_DLL:-}" ]; then
    log "building the host"
    dotnet build "$repo/src/ActorSales.Host" -c Release -o "$dir/host" --nologo -v q >&2
  fi
  host=$(host_command)
  key=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
  umask 077; printf '%s' "$key" > "$dir/signing-key"; umask 022
  cluster_id="local-$(date +%s)"

  export ActorSales__Profile=Postgres ConnectionStrings__Postgres="$connection" ActorSales__ClusterId="$cluster_id" \
         ActorSales__Auth__SigningKey="$key" Logging__Console__FormatterName=json
  log "migrating the schema"
  $host migrate >&2

  : > "$dir/endpoints.tmp"
  port=${ACTORSALES_BASE_PORT:-20000}
  for i in $(seq 1 "$silos"); do
    silo_port=$(next_free_port "$port"); gateway_port=$(next_free_port $((silo_port + 1)))
    grpc_port=$(next_free_port $((gateway_port + 1))); web_port=$(next_free_port $((grpc_port + 1)))
    port=$((web_port + 1))
    ActorSales__SiloPort=$silo_port ActorSales__GatewayPort=$gateway_port \
      ActorSales__Endpoints__Grpc="http://127.0.0.1:$grpc_port" ActorSales__Endpoints__GrpcWeb="http://127.0.0.1:$web_port" \
      nohup $host run > "$dir/silo-$i.log" 2>&1 &
    echo "$i http://127.0.0.1:$grpc_port http://127.0.0.1:$web_port $!" >> "$dir/endpoints.tmp"
    log "silo $i: pid $! grpc :$grpc_port grpc-web :$web_port silo :$silo_port"
  done
  mv "$dir/endpoints.tmp" "$dir/endpoints"

  while read -r index _ web pid; do
    for _ in $(seq 1 120); do
      if ! kill -0 "$pid" 2>/dev/null; then
        log "silo $index exited; its log:"; tail -n 30 "$dir/silo-$index.log" >&2; stop; exit 1
      fi
      if curl -fsS "$web/healthz" >/dev/null 2>&1; then break; fi
      sleep 0.5
    done
    curl -fsS "$web/healthz" >/dev/null || { log "silo $index did not become healthy"; stop; exit 1; }
  done < "$dir/endpoints"
  log "cluster $cluster_id up with $silos silo(s)"
  cat "$dir/endpoints"
}

stop() {
  if [ -f "$dir/endpoints" ]; then
    while read -r index _ _ pid; do
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
        log "silo $index stopped"
      fi
    done < "$dir/endpoints"
    rm -f "$dir/endpoints"
  fi
  if [ -f "$dir/started-postgres" ]; then
    "$repo/deploy/postgres.sh" stop "$dir/pg" || true
    rm -f "$dir/started-postgres"
  fi
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) if [ -f "$dir/endpoints" ]; then cat "$dir/endpoints"; else echo "not running"; fi ;;
  *) echo "usage: $0 start|stop|status [--silos N] [--dir DIR]" >&2; exit 64 ;;
esac
