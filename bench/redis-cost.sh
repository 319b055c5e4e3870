#!/usr/bin/env bash
# What shared limits cost (issue: performance, goal "Redis mode ≤ 40 µs CPU per request above memory mode"): the
# gateway as users run it (Release, shipped appsettings, default runtime, auth, metrics, access log), limits set so high
# that nothing is refused — every request takes and gives back a concurrency lease, a QPS token and a token
# reservation — once with `limits.store: memory` and once with `store: redis` (Debian's redis-server on loopback).
# Each gateway is measured ALONE on CPU 1 (Nginx upstream, redis-server and wrk on CPU 0), after a warm-up, in rounds.
#
#   bench/redis-cost.sh [warm-up-seconds] [round-seconds] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-30}
duration=${2:-10}
connections=${3:-32}
rounds=${4:-3}
json_port=18700; mem_port=18701; redis_gw_port=18702; redis_port=18703
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT

source bench/lib.sh
bench_prepare
start_nginx_upstream "$json_port:json"
taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
limits_in() { echo "${high_limits%\}}, store: $1 }"; }
start_upstream_gateway memory "$mem_port" "$json_port" "$(limits_in memory)" "{ enabled: true }"
start_upstream_gateway redis "$redis_gw_port" "$json_port" \
  "$(limits_in "redis, redis: { connection_string: '127.0.0.1:$redis_port' }")" "{ enabled: true }"
wait_until_up "http://127.0.0.1:$json_port/health" "http://127.0.0.1:$mem_port/health/ready" "http://127.0.0.1:$redis_gw_port/health/ready"
mem_pid=$(pid_of_port "$mem_port"); redis_pid=$(pid_of_port "$redis_gw_port"); redis_server_pid=$(pid_of_port "$redis_port")
post_lua "$work/json.lua" "$bench_body_json"

echo "Warm-up: ${warmup}s per gateway at $connections connections."
for port in "$mem_port" "$redis_gw_port"; do
  taskset -c 0 wrk -t1 -c"$connections" -d"${warmup}s" -s "$work/json.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
done
if [ "$(redis-cli -p "$redis_port" --scan --pattern 'llmhost:*' | wc -l)" -eq 0 ]; then
  echo "error: the Redis gateway left no state in Redis: it is not limiting there" >&2; exit 1
fi

echo
echo "### Gateway CPU per request, limits in memory and in Redis (wrk -t1 -c$connections -d${duration}s, $rounds rounds, each alone on CPU 1)"
echo
echo "| gateway | requests | req/s | p50 | p99 | CPU µs/req | redis-server CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  for target in "memory|limits in memory|$mem_pid|$mem_port" "redis|limits in Redis|$redis_pid|$redis_gw_port"; do
    IFS='|' read -r slug name pid port <<<"$target"
    before=$(cpu "$pid"); redis_before=$(cpu "$redis_server_pid")
    taskset -c 0 wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$work/json.lua" "http://127.0.0.1:$port/v1/chat/completions" >"$work/$slug.txt"
    line=$(row "$name (round $round)" "$work/$slug.txt" "$before" "$(cpu "$pid")")
    requests=$(awk '/requests in/ {print $1}' "$work/$slug.txt")
    echo "$line $(awk -v a="$redis_before" -v b="$(cpu "$redis_server_pid")" -v r="$requests" 'BEGIN { printf "%.1f |", (b - a) * 1e6 / r }')" | tee -a "$work/rows"
  done
done
memory=$(median_cpu "limits in memory"); redis=$(median_cpu "limits in Redis")
echo
echo "Medians (gateway µs CPU/request): memory $memory, Redis $redis: Redis mode costs $(awk -v a="$redis" -v b="$memory" 'BEGIN { printf "%.1f", a - b }') µs more (goal ≤ 40)."
