#!/usr/bin/env bash
# The performance goals (issue: performance), measured as users run the gateway: Release build, the shipped
# appsettings.json, the default runtime configuration (whatever the project file ships), every feature on — API-key
# auth, limits set high (memory store), metrics, the access log — in front of an Nginx upstream that answers at
# once and is never the bottleneck; beside a bare YARP proxy (bench/BareProxy) and Nginx itself (direct).
# Each proxy is measured ALONE on CPU 1 (Nginx and wrk on CPU 0), after a warm-up, in several rounds. The other
# proxies idle on CPU 1 meanwhile; their background work (an access log drained every 20 ms, a rolled log file
# compressed) is small but falls in whichever round it falls in.
#
#   bench/perf.sh [warm-up-seconds] [round-seconds] [connections] [rounds]
#   LLMHOST_BENCH_GATEWAY_ENV="DOTNET_gcServer=0 …" adds runtime settings to the gateways (to study one);
#   LLMHOST_BENCH_QUICK=1 measures only the non-streamed CPU of the bare proxy and the gateway, all on;
#   LLMHOST_BENCH_QUICK=stream only their streamed CPU.
#
# Prints, for docs/BENCHMARKS.md:
#   1. CPU per request, non-streamed: bare YARP, gateway (all on), gateway (metrics and access log off), gateway
#      (limits off): the feature costs by difference.
#   2. CPU per request, streamed (20 chunks): bare YARP, gateway.
#   3. One connection: p50 latency of direct, bare YARP and gateway (non-streamed and streamed, where the answer's
#      whole time is its time to first byte plus a few microseconds).
#   4. A fixed rate of 2,000 requests a second (16 connections, each paced): p99 over direct.
#   5. Allocations per request and gen-2 collections (dotnet-counters), and the gateway's RSS before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-30}
duration=${2:-10}
connections=${3:-32}
rounds=${4:-3}
json_port=18600; sse_port=18601; bare_port=18602; bare_sse_port=18603
gw_port=18604; gw_quiet_port=18605; gw_nolimits_port=18606; gw_sse_port=18607
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT

source bench/lib.sh
bench_prepare
dotnet build bench/BareProxy/BareProxy.csproj -c Release --nologo -v q >/dev/null
dotnet tool update --tool-path "$work/tools" dotnet-counters >/dev/null 2>&1 || dotnet tool install --tool-path "$work/tools" dotnet-counters >/dev/null

start_nginx_upstream "$json_port:json" "$sse_port:stream"

# --- The proxies, all on CPU 1 (idle but the one measured).
start_upstream_gateway gw "$gw_port" "$json_port" "$high_limits" "{ enabled: true }"
start_upstream_gateway quiet "$gw_quiet_port" "$json_port" "$high_limits" "{ enabled: false }" OTEL_SDK_DISABLED=true
start_upstream_gateway nolimits "$gw_nolimits_port" "$json_port" "$unlimited" "{ enabled: true }"
start_upstream_gateway sse "$gw_sse_port" "$sse_port" "$high_limits" "{ enabled: true }"
for pair in "$bare_port:$json_port" "$bare_sse_port:$sse_port"; do
  taskset -c 1 dotnet bench/BareProxy/bin/Release/net10.0/BareProxy.dll --urls "http://127.0.0.1:${pair%%:*}" \
    --destination "http://127.0.0.1:${pair##*:}" >"$work/bare-${pair%%:*}.log" 2>&1 &
done
wait_until_up "http://127.0.0.1:$json_port/health" "http://127.0.0.1:$sse_port/health" \
  "http://127.0.0.1:$gw_port/health/ready" "http://127.0.0.1:$gw_quiet_port/health/ready" \
  "http://127.0.0.1:$gw_nolimits_port/health/ready" "http://127.0.0.1:$gw_sse_port/health/ready"
for port in "$bare_port" "$bare_sse_port"; do
  for _ in $(seq 1 50); do curl -sf -X POST "http://127.0.0.1:$port/v1/chat/completions" >/dev/null && break; sleep 0.1; done
done
gw_pid=$(pid_of_port "$gw_port"); quiet_pid=$(pid_of_port "$gw_quiet_port"); nolimits_pid=$(pid_of_port "$gw_nolimits_port")
sse_pid=$(pid_of_port "$gw_sse_port"); bare_pid=$(pid_of_port "$bare_port"); bare_sse_pid=$(pid_of_port "$bare_sse_port")

post_lua "$work/json.lua" "$bench_body_json"; post_lua "$work/sse.lua" "$bench_body_stream"
post_lua "$work/json-paced.lua" "$bench_body_json" 8

# A target: slug|name|pid (empty for direct)|port|lua
targets_json=("bare|bare YARP proxy|$bare_pid|$bare_port|json" "gw|gateway, all on|$gw_pid|$gw_port|json"
  "quiet|gateway, metrics and access log off|$quiet_pid|$gw_quiet_port|json" "nolimits|gateway, limits off|$nolimits_pid|$gw_nolimits_port|json")
targets_sse=("baresse|bare YARP proxy, streamed|$bare_sse_pid|$bare_sse_port|sse" "sse|gateway, all on, streamed|$sse_pid|$gw_sse_port|sse")
if [ "${LLMHOST_BENCH_QUICK:-}" = stream ]; then
  targets_json=()
elif [ -n "${LLMHOST_BENCH_QUICK:-}" ]; then
  targets_json=("${targets_json[@]:0:2}")
  targets_sse=()
fi

measure() { # round target wrk-args...; one row, the target alone under load
  local round=$1 target=$2; shift 2
  local slug name pid port script before after
  IFS='|' read -r slug name pid port script <<<"$target"
  before=$([ -n "$pid" ] && cpu "$pid" || echo 0)
  taskset -c 0 wrk "$@" --latency -s "$work/$script.lua" "http://127.0.0.1:$port/v1/chat/completions" >"$work/$slug.txt"
  after=$([ -n "$pid" ] && cpu "$pid" || echo 0)
  row "$name (round $round)" "$work/$slug.txt" "$before" "$after"
}

echo "Warm-up: ${warmup}s per proxy at $connections connections."
for target in "${targets_json[@]}" "${targets_sse[@]}"; do
  IFS='|' read -r slug name pid port script <<<"$target"
  taskset -c 0 wrk -t1 -c"$connections" -d"${warmup}s" -s "$work/$script.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
done

echo
echo "### 1-2. CPU per request, each proxy alone on CPU 1 (wrk -t1 -c$connections -d${duration}s, $rounds rounds, $(nproc) cores)"
echo
echo "| target | requests | req/s | p50 | p99 | CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  for target in "${targets_json[@]}" "${targets_sse[@]}"; do
    measure "$round" "$target" -t1 -c"$connections" -d"${duration}s" | tee -a "$work/rows"
  done
done
med() { median_cpu "$1"; }
if [ -n "${LLMHOST_BENCH_QUICK:-}" ]; then
  suffix=""; [ "$LLMHOST_BENCH_QUICK" = stream ] && suffix=", streamed"
  bare=$(med "bare YARP proxy$suffix"); gw=$(med "gateway, all on$suffix")
  echo; echo "Medians (µs CPU/request): bare YARP$suffix $bare; gateway all on$suffix $gw ($(awk -v a="$gw" -v b="$bare" 'BEGIN { printf "%.2f", a / b }')×); gateway runtime settings: ${LLMHOST_BENCH_GATEWAY_ENV:-defaults}"
  exit 0
fi
bare=$(med "bare YARP proxy"); gw=$(med "gateway, all on"); quiet=$(med "gateway, metrics and access log off")
nolimits=$(med "gateway, limits off"); baresse=$(med "bare YARP proxy, streamed"); sse=$(med "gateway, all on, streamed")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "Medians (µs CPU/request): bare YARP $bare; gateway all on $gw ($(ratio "$gw" "$bare")×);" \
  "metrics and access log off $quiet ($(ratio "$quiet" "$bare")×); limits off $nolimits;" \
  "streamed: bare $baresse, gateway $sse ($(ratio "$sse" "$baresse")×)."
echo "Feature costs by difference: metrics + access log $(awk -v a="$gw" -v b="$quiet" 'BEGIN { printf "%.1f", a - b }') µs," \
  "limits $(awk -v a="$gw" -v b="$nolimits" 'BEGIN { printf "%.1f", a - b }') µs."

echo
echo "### 3. One connection: latency (wrk -t1 -c1 -d${duration}s)"
echo
echo "| target | requests | req/s | p50 | p99 | CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|"
for target in "direct|direct (Nginx)||$json_port|json" "${targets_json[0]}" "${targets_json[1]}" \
  "directsse|direct (Nginx), streamed||$sse_port|sse" "${targets_sse[0]}" "${targets_sse[1]}"; do
  measure 1 "$target" -t1 -c1 -d"${duration}s"
done

echo
echo "### 4. A fixed rate: 16 connections each sending every 8 ms (about 2,000 requests a second)"
echo
echo "| target | requests | req/s | p50 | p99 | CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|"
for target in "direct|direct (Nginx)||$json_port|json-paced" "bare|bare YARP proxy|$bare_pid|$bare_port|json-paced" \
  "gw|gateway, all on|$gw_pid|$gw_port|json-paced"; do
  measure 1 "$target" -t1 -c16 -d"${duration}s"
done

echo
echo "### 5. Allocations and collections per request (dotnet-counters, one round each at $connections connections)"
echo
echo "| target | requests | allocated bytes/request | gen-2 collections | RSS before → after (MiB) |"
echo "|---|---:|---:|---:|---|"
rss() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
for target in "${targets_json[0]}" "${targets_json[1]}"; do
  [ -n "${KEEP_WORK:-}" ] && echo "work: $work" >&2
  IFS='|' read -r slug name pid port script <<<"$target"
  rss0=$(rss "$pid")
  "$work/tools/dotnet-counters" collect -p "$pid" --counters System.Runtime --format csv -o "$work/$slug-counters.csv" \
    --refresh-interval 1 --duration "$(printf '00:%02d:%02d' $(((duration + 2) / 60)) $(((duration + 2) % 60)))" >/dev/null 2>&1 &
  counters=$!
  sleep 1
  taskset -c 0 wrk -t1 -c"$connections" -d"${duration}s" -s "$work/$script.lua" "http://127.0.0.1:$port/v1/chat/completions" >"$work/$slug-alloc.txt"
  wait "$counters" || true
  requests=$(awk '/requests in/ {print $1}' "$work/$slug-alloc.txt")
  # Counters' CSV: timestamp, provider, counter, type, value; rates are per second, sampled every second.
  allocated=$(awk -F, '$3 ~ /^dotnet.gc.heap.total_allocated/ { sum += $5 } END { printf "%.0f", sum }' "$work/$slug-counters.csv")
  gen2=$(awk -F, '$3 ~ /^dotnet.gc.collections.*gen2/ { sum += $5 } END { printf "%.0f", sum }' "$work/$slug-counters.csv")
  echo "| $name | $requests | $(awk -v a="$allocated" -v r="$requests" 'BEGIN { printf "%.0f", a / r }') | $gen2 | $rss0 → $(rss "$pid") |"
done
