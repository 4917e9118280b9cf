#!/usr/bin/env bash
# Smoke-runs a published host (the folder deploy/docker/Dockerfile copies into the image) the way the image runs it:
# `dotnet actorsales.dll run` as a silo+gateway on the Local profile with every listener on free loopback ports;
# waits for `actorsales probe` (the image's HEALTHCHECK) to pass, checks /metrics answers, then stops it with SIGTERM
# and expects a clean exit within the host's shutdown time.
#   deploy/docker/smoke.sh PUBLISH_DIR
set -euo pipefail
app=${1:?usage: $0 PUBLISH_DIR}
[ -f "$app/actorsales.dll" ] || { echo "smoke: no actorsales.dll in $app" >&2; exit 1; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
export ActorSales__Endpoints__Grpc="http://127.0.0.1:$(free_port)" ActorSales__Endpoints__GrpcWeb="http://127.0.0.1:$(free_port)" \
       ActorSales__Endpoints__Admin="http://127.0.0.1:$(free_port)" ActorSales__SiloPort="$(free_port)" ActorSales__GatewayPort="$(free_port)" \
       Logging__Console__FormatterName=json DOTNET_ENVIRONMENT=Production
log=$(mktemp /tmp/actorsales-smoke.XXXXXX.log)
dotnet "$app/actorsales.dll" run > "$log" 2>&1 &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  kill -0 "$pid" 2>/dev/null || { echo "smoke: the host exited; its log:" >&2; tail -n 30 "$log" >&2; exit 1; }
  if dotnet "$app/actorsales.dll" probe >/dev/null 2>&1; then break; fi
  sleep 1
done
dotnet "$app/actorsales.dll" probe || { echo "smoke: never ready; its log:" >&2; tail -n 30 "$log" >&2; exit 1; }
metrics=$(curl -fsS "$ActorSales__Endpoints__Admin/metrics")
grep -q '^actorsales_' <<< "$metrics" || { echo "smoke: /metrics has no actorsales_ instrument" >&2; exit 1; }
grep -q '"Timestamp":' "$log" || { echo "smoke: the JSON log lines carry no timestamp" >&2; exit 1; }

started=$(date +%s%N)
kill -TERM "$pid"
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$pid" 2>/dev/null; then echo "smoke: still running 30 s after SIGTERM" >&2; exit 1; fi
wait "$pid" && status=0 || status=$?
[ "$status" -eq 0 ] || { echo "smoke: exited with $status after SIGTERM; its log:" >&2; tail -n 30 "$log" >&2; exit 1; }
echo "smoke: published host ready, probed, scraped, stopped cleanly in $(( ($(date +%s%N) - started) / 1000000 )) ms"
rm -f "$log"
