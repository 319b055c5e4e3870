#!/usr/bin/env bash
# What the gateway allocates per request, by type (issue: performance, goal "allocations within 1.5× of bare YARP's"):
# the gateway as users run it (Release, shipped appsettings, default runtime, auth, limits set high, metrics, access
# log) and the bare YARP proxy, each alone on CPU 1 in front of an Nginx upstream (CPU 0, with wrk), warmed up, then
# sampled by bench/Allocations (the runtime's allocation ticks over EventPipe) under load.
#
#   bench/allocations.sh [warm-up-seconds] [sample-seconds] [connections] [top]
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-30}
duration=${2:-10}
connections=${3:-32}
top=${4:-25}
json_port=18810; bare_port=18811; gw_port=18812
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT

source bench/lib.sh
bench_prepare
dotnet build bench/BareProxy/BareProxy.csproj -c Release --nologo -v q >/dev/null
dotnet build bench/Allocations/Allocations.csproj -c Release --nologo -v q >/dev/null
start_nginx_upstream "$json_port:json"
start_upstream_gateway gw "$gw_port" "$json_port" "$high_limits" "{ enabled: true }"
taskset -c 1 dotnet bench/BareProxy/bin/Release/net10.0/BareProxy.dll --urls "http://127.0.0.1:$bare_port" \
  --destination "http://127.0.0.1:$json_port" >"$work/bare.log" 2>&1 &
wait_until_up "http://127.0.0.1:$json_port/health" "http://127.0.0.1:$gw_port/health/ready"
for _ in $(seq 1 50); do curl -sf -X POST "http://127.0.0.1:$bare_port/v1/chat/completions" >/dev/null && break; sleep 0.1; done
post_lua "$work/json.lua" "$bench_body_json"

for target in "bare YARP proxy|$bare_port" "gateway, all on|$gw_port"; do
  name=${target%|*}; port=${target##*|}; pid=$(pid_of_port "$port")
  taskset -c 0 wrk -t1 -c"$connections" -d"${warmup}s" -s "$work/json.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
  taskset -c 0 wrk -t1 -c"$connections" -d"$((duration + 3))s" -s "$work/json.lua" "http://127.0.0.1:$port/v1/chat/completions" >"$work/load.txt" &
  load=$!
  sleep 1
  taskset -c 0 dotnet bench/Allocations/bin/Release/net10.0/Allocations.dll "$pid" "$duration" >"$work/alloc.txt"
  wait "$load"
  requests=$(awk -v r="$(awk '/Requests\/sec/ {print $2}' "$work/load.txt")" -v d="$duration" 'BEGIN { printf "%.0f", r * d }')
  echo
  echo "### $name: $(awk -v r="$requests" '{ s += $1 } END { printf "%.0f", s / r }' "$work/alloc.txt") bytes a request (sampled over ${duration} s, ~$requests requests)"
  echo
  echo "| type | bytes/request | samples |"
  echo "|---|---:|---:|"
  head -"$top" "$work/alloc.txt" | awk -F'\t' -v r="$requests" '{ printf "| `%s` | %.0f | %d |\n", $3, $1 / r, $2 }'
done
