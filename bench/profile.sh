#!/usr/bin/env bash
# Where the gateway's CPU goes, per feature: the gateway as users run it (Release, shipped appsettings.json, default
# runtime configuration, auth, limits set high, metrics, access log) alone on CPU 1 in front of Nginx (CPU 0), warmed
# up, then sampled with perf under wrk load; each sample is attributed by bench/profile-features.py to the innermost
# managed frame that names a feature. For perf to name managed code, the profiled gateway writes its perf map
# (DOTNET_PerfMapEnabled=1), keeps JIT code out of double-mapped memory (DOTNET_EnableWriteXorExecute=0) and
# compiles the framework's code itself (DOTNET_ReadyToRun=0: precompiled code has no symbols perf can read); so its
# CPU per request is not the one users see (bench/perf.sh measures that), only the shares are.
#   bench/profile.sh [warm-up-seconds] [profile-seconds] [connections] [stream: yes|no]
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-30}
duration=${2:-15}
connections=${3:-32}
stream=${4:-no}
upstream_port=18700; gw_port=18701
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] && cp "$work/perf.data" /tmp/gateway.perf.data 2>/dev/null; rm -rf "$work"' EXIT

source bench/lib.sh
bench_prepare
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }

if [ "$stream" = yes ]; then
  start_nginx_upstream "$upstream_port:stream"; body=$bench_body_stream
else
  start_nginx_upstream "$upstream_port:json"; body=$bench_body_json
fi
# Names for perf: the perf map, JIT code out of double-mapped memory, the framework's code compiled here too.
start_upstream_gateway gw "$gw_port" "$upstream_port" "$high_limits" "{ enabled: true }" \
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0
gw_pid=$!
wait_until_up "http://127.0.0.1:$gw_port/health/ready"
post_lua "$work/post.lua" "$body"
taskset -c 0 wrk -t1 -c"$connections" -d"${warmup}s" -s "$work/post.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >/dev/null

taskset -c 0 wrk -t1 -c"$connections" -d"$((duration + 2))s" -s "$work/post.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >"$work/load.txt" &
load=$!
sleep 1
before=$(cpu "$gw_pid")
perf record -F 2999 -g -p "$gw_pid" -o "$work/perf.data" -- sleep "$duration" 2>/dev/null
after=$(cpu "$gw_pid")
wait "$load"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/load.txt")
requests=$(awk -v r="$rps" -v d="$duration" 'BEGIN { printf "%.0f", r * d }')
echo "perf record -F 2999 -g, ${duration}s of wrk -t1 -c$connections after ${warmup}s of warm-up; stream=$stream; $rps req/s;" \
  "gateway CPU $(awk -v a="$after" -v b="$before" -v r="$requests" 'BEGIN { printf "%.1f", (a - b) * 1e6 / r }') µs/request"
echo
perf script -i "$work/perf.data" -F ip,sym,dso 2>/dev/null | python3 bench/profile-features.py "$requests" "$(awk -v a="$after" -v b="$before" 'BEGIN { print a - b }')"
if [ -n "${TOP:-}" ]; then
  echo
  perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -"$TOP"
fi
