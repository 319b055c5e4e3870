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
sim_port=18200; bare_port=18201; gw_port=18202
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build bench/BareProxy/BareProxy.csproj -c Release --nologo -v q >/dev/null

pin_sim="taskset -c 0"
pin_proxy="taskset -c 1"
source bench/lib.sh
bench_prepare
start_simulator
start_gateway
taskset -c 1 dotnet bench/BareProxy/bin/Release/net10.0/BareProxy.dll --urls "http://127.0.0.1:$bare_port" \
  --destination "http://127.0.0.1:$sim_port" >"$work/bare.log" 2>&1 &
bare_pid=$!
wait_until_up "http://127.0.0.1:$sim_port/health" "http://127.0.0.1:$bare_port/health" "http://127.0.0.1:$gw_port/health/ready"

write_post_lua "$stream"
warm_up "$bare_port" "$gw_port"

run_rounds path "bare|bare YARP proxy|$bare_pid|$bare_port" "gw|LlmHost gateway|$gw_pid|$gw_port"
bare=$(median_cpu "bare YARP proxy"); gateway=$(median_cpu "LlmHost gateway")
echo
echo "median proxy CPU per request: bare YARP $bare µs, gateway $gateway µs, ratio $(awk -v g="$gateway" -v b="$bare" 'BEGIN { printf "%.2f", g / b }')"
