#!/usr/bin/env bash
# Runs a local ActorSales cluster on loopback ports: PostgreSQL plus N silos and M gateways.
#
#   deploy/local-cluster.sh start [--silos N] [--gateways M] [--dir DIR]
#       start N processes of role silo and M of role gateway (a stateless Orleans client serving the API); with
#       --gateways 0 (the default) the N processes are silo+gateway, each serving the API itself. Default: 2 silos,
#       DIR /tmp/actorsales-cluster.
#   deploy/local-cluster.sh stop  [--dir DIR]               stop the silos, then PostgreSQL if this script started it
#   deploy/local-cluster.sh status [--dir DIR]              list silos and endpoints
#
# Environment:
#   ACTORSALES_POSTGRES   use this connection string instead of starting a throwaway PostgreSQL
#   ACTORSALES_HOST_DLL   run this built actorsales.dll instead of building src/ActorSales.Host (Release)
#   ACTORSALES_BASE_PORT  first port to try (default 20000); each process takes five free ports from there
#
# DIR/endpoints lists one line per process: "<name> <grpc url> <grpc-web url> <admin url> <pid>" (a silo of role silo
# has no grpc or grpc-web listener: "-"); DIR/signing-key holds the
# cluster's freshly generated JWT signing key (mint tokens with: actorsales token --ActorSales:Auth:SigningKey=...).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command=${1:-}
shift || true
silos=2
gateways=0
dir=/tmp/actorsales-cluster
while [ $# -gt 0 ]; do
  case "$1" in
    --silos) silos=$2; shift 2 ;;
    --gateways) gateways=$2; shift 2 ;;
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
  if [ "$gateways" -gt 0 ]; then silo_role=silo; else silo_role=silo+gateway; fi
  launch() { # name role
    local name=$1 role=$2 silo_port gateway_port grpc_port web_port admin_port grpc=- web=-
    silo_port=$(next_free_port "$port"); gateway_port=$(next_free_port $((silo_port + 1)))
    grpc_port=$(next_free_port $((gateway_port + 1))); web_port=$(next_free_port $((grpc_port + 1)))
    admin_port=$(next_free_port $((web_port + 1)))
    port=$((admin_port + 1))
    ActorSales__Role=$role ActorSales__SiloPort=$silo_port ActorSales__GatewayPort=$gateway_port \
      ActorSales__Endpoints__Grpc="http://127.0.0.1:$grpc_port" ActorSales__Endpoints__GrpcWeb="http://127.0.0.1:$web_port" \
      ActorSales__Endpoints__Admin="http://127.0.0.1:$admin_port" \
      nohup $host run > "$dir/$name.log" 2>&1 &
    if [ "$role" != silo ]; then grpc="http://127.0.0.1:$grpc_port"; web="http://127.0.0.1:$web_port"; fi
    echo "$name $grpc $web http://127.0.0.1:$admin_port $!" >> "$dir/endpoints.tmp"
    log "$name ($role): pid $! grpc $grpc grpc-web $web admin :$admin_port silo :$silo_port"
  }
  for i in $(seq 1 "$silos"); do launch "silo-$i" "$silo_role"; done
  for i in $(seq 1 "$gateways"); do launch "gateway-$i" gateway; done
  mv "$dir/endpoints.tmp" "$dir/endpoints"

  # Readiness (/healthz on the admin listener) answers from the first second; it turns 200 once the silo is active
  # (or the gateway reaches a silo).
  while read -r name _ _ admin pid; do
    for _ in $(seq 1 240); do
      if ! kill -0 "$pid" 2>/dev/null; then
        log "$name exited; its log:"; tail -n 30 "$dir/$name.log" >&2; stop; exit 1
      fi
      if curl -fsS "$admin/healthz" >/dev/null 2>&1; then break; fi
      sleep 0.5
    done
    curl -fsS "$admin/healthz" >/dev/null || { log "$name did not become ready"; stop; exit 1; }
  done < "$dir/endpoints"
  log "cluster $cluster_id up with $silos silo(s) and $gateways gateway(s)"
  cat "$dir/endpoints"
}

stop() {
  if [ -f "$dir/endpoints" ]; then
    # Gateways first (their callers move to the others), then the silos, as a rolling upgrade does.
    sort "$dir/endpoints" | while read -r name _ _ _ pid; do
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$pid" 2>/dev/null || true
        log "$name stopped"
      fi
    done
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
  *) echo "usage: $0 start|stop|status [--silos N] [--gateways M] [--dir DIR]" >&2; exit 64 ;;
esac
