#!/usr/bin/env bash
# The gateway's own cost per request, against a bare YARP proxy doing nothing, both in front of the same
# zero-latency simulator, measured in one run on loopback. CPU time per request comes from /proc/PID/stat.
# Prints a Markdown table for docs/BENCHMARKS.md.
# The proxies run pinned to CPU 1, the simulator and wrk to CPU 0; in each round both proxies are loaded at once.
# The table gives each round and the median, because one run on a shared 2-core machine is noisy.
#   bench/gateway-overhead.sh [duration-seconds] [connections] [stream: yes|no] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
stream=${3:-no}
rounds=${4:-3}
# Dynamic PGO keeps hot methods in an instrumented tier for a while; the gateway, with more hot code than a bare
# proxy, stays there longer, which made short runs compare instrumented code with optimised code. Both proxies run
# without it (set LLMHOST_BENCH_PGO=1 to keep it).
if [ "${LLMHOST_BENCH_PGO:-0}" != "1" ]; then
  export DOTNET_TieredPGO=0
fi
sim_port=18200; bare_port=18201; gw_port=18202
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

bash scripts/install-deps.sh --bench
dotnet build LlmHost.sln -c Release --nologo -v q >/dev/null
dotnet build bench/BareProxy/BareProxy.csproj -c Release --nologo -v q >/dev/null

pin_sim="taskset -c 0"
pin_proxy="taskset -c 1"
source bench/lib.sh
start_simulator
start_gateway
taskset -c 1 dotnet bench/BareProxy/bin/Release/net10.0/BareProxy.dll --urls "http://127.0.0.1:$bare_port" \
  --destination "http://127.0.0.1:$sim_port" >"$work/bare.log" 2>&1 &
bare_pid=$!
wait_until_up "http://127.0.0.1:$sim_port/health" "http://127.0.0.1:$bare_port/health" "http://127.0.0.1:$gw_port/health/ready"

if [ "$stream" = "yes" ]; then
  body='{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16,"ignore_eos":true,"stream":true}'
else
  body='{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16,"ignore_eos":true}'
fi
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $bench_key"
wrk.body = '$body'
LUA

row() { # name wrk-output cpu-before cpu-after
  if grep -q "Non-2xx" "$2"; then echo "error: $1 got error answers:" >&2; cat "$2" >&2; exit 1; fi
  awk -v n="$1" -v r="$(awk '/requests in/ {print $1}' "$2")" -v rps="$(awk '/Requests\/sec/ {print $2}' "$2")" \
      -v p50="$(awk '$1 == "50%" {print $2}' "$2")" -v p99="$(awk '$1 == "99%" {print $2}' "$2")" -v c0="$3" -v c1="$4" 'BEGIN {
    printf "| %s | %s | %.0f | %s | %s | %.1f |\n", n, r, rps, p50, p99, (c1 - c0) * 1e6 / r }'
}

# Both proxies are loaded at the same time, each by its own wrk, so that whatever else the shared machine does
# weighs on both alike; CPU per request is then compared within the round.
paired_round() { # round-number
  local b0 g0 b1 g1
  b0=$(cpu $bare_pid); g0=$(cpu $gw_pid)
  taskset -c 0 wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" "http://127.0.0.1:$bare_port/v1/chat/completions" >"$work/bare.txt" &
  local w1=$!
  taskset -c 0 wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >"$work/gw.txt" &
  local w2=$!
  wait $w1 $w2
  b1=$(cpu $bare_pid); g1=$(cpu $gw_pid)
  row "bare YARP proxy (round $1)" "$work/bare.txt" "$b0" "$b1"
  row "LlmHost gateway (round $1)" "$work/gw.txt" "$g0" "$g1"
}

# Warm-up: .NET reaches its final (tier-1, PGO-optimised) code only after tens of thousands of requests.
for url in "http://127.0.0.1:$bare_port" "http://127.0.0.1:$gw_port"; do
  taskset -c 0 wrk -t1 -c"$connections" -d15s -s "$work/post.lua" "$url/v1/chat/completions" >/dev/null
done

echo "wrk -t1 -c$connections -d${duration}s per proxy, both at once; POST /v1/chat/completions, 16 tokens, stream=$stream; $(nproc) cores, $rounds rounds, DOTNET_TieredPGO=${DOTNET_TieredPGO:-1}"
echo
echo "| path | requests | req/s | p50 | p99 | proxy CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  paired_round "$round" | tee -a "$work/rows"
done
median() { grep "$1" "$work/rows" | awk -F'|' '{print $7}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
bare=$(median "bare YARP"); gateway=$(median "LlmHost gateway")
echo
echo "median proxy CPU per request: bare YARP $bare µs, gateway $gateway µs, ratio $(awk -v g="$gateway" -v b="$bare" 'BEGIN { printf "%.2f", g / b }')"
