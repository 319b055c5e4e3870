#!/usr/bin/env bash
# Memory over a long run (issue: performance, goal "RSS flat over one million requests"): the gateway as users run it
# (Release, shipped appsettings, default runtime, auth, limits set high, metrics, access log) alone on CPU 1 in front
# of an Nginx upstream (CPU 0, with wrk), loaded in rounds of 10 s until at least N requests were answered after the
# warm-up; prints the RSS and the managed heap after each round.
#
#   bench/rss.sh [requests, default 1000000] [connections] [warm-up-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-1000000}
connections=${2:-32}
warmup=${3:-30}
json_port=18800; gw_port=18801
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT

source bench/lib.sh
bench_prepare
dotnet tool update --tool-path "$work/tools" dotnet-counters >/dev/null 2>&1 || dotnet tool install --tool-path "$work/tools" dotnet-counters >/dev/null
start_nginx_upstream "$json_port:json"
start_upstream_gateway gw "$gw_port" "$json_port" "$high_limits" "{ enabled: true }"
wait_until_up "http://127.0.0.1:$json_port/health" "http://127.0.0.1:$gw_port/health/ready"
gw_pid=$(pid_of_port "$gw_port")
[ -n "$gw_pid" ] || { echo "error: the gateway did not start:" >&2; cat "$work/gw.log" >&2; exit 1; }
post_lua "$work/json.lua" "$bench_body_json"
rss() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$gw_pid/status"; }
heap() { # MiB of the managed heap after the last collection: the generations' sizes summed, read once by dotnet-counters
  "$work/tools/dotnet-counters" collect -p "$gw_pid" --counters System.Runtime --format csv -o "$work/heap.csv" \
    --refresh-interval 1 --duration 00:00:02 >/dev/null 2>&1 || true
  awk -F, '/last_collection.heap.size|gc-heap-size/ { if ($1 != t) { t = $1; v = 0 } v += $NF } END { if (t == "") exit 1; printf "%.0f", v / 1048576 }' "$work/heap.csv" \
    || { echo "error: dotnet-counters read no heap size" >&2; exit 1; }
}

taskset -c 0 wrk -t1 -c"$connections" -d"${warmup}s" -s "$work/json.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >/dev/null
echo "wrk -t1 -c$connections, rounds of 10 s after a ${warmup} s warm-up, until $target requests; gateway alone on CPU 1"
echo
echo "| requests so far | RSS (MiB) | managed heap after last GC (MiB) | p99 of the round |"
echo "|---:|---:|---:|---:|"
echo "| 0 | $(rss) | $(heap) | |"
total=0
while [ "$total" -lt "$target" ]; do
  taskset -c 0 wrk -t1 -c"$connections" -d10s --latency -s "$work/json.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >"$work/round.txt"
  if grep -q "Non-2xx" "$work/round.txt"; then echo "error: error answers:" >&2; cat "$work/round.txt" >&2; exit 1; fi
  total=$((total + $(awk '/requests in/ {print $1}' "$work/round.txt")))
  echo "| $total | $(rss) | $(heap) | $(awk '$1 == "99%" {print $2}' "$work/round.txt") |"
done
