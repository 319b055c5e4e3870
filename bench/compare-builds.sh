#!/usr/bin/env bash
# The gateway's CPU per request at an earlier commit and now, beside a bare YARP proxy, in one run: for changes that
# must not cost CPU (a restructuring, a refactoring). Builds the gateway of BASE_REF in a temporary worktree.
# Prints a Markdown table for docs/BENCHMARKS.md and the medians.
#   bench/compare-builds.sh BASE_REF [duration-seconds] [connections] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
base_ref=${1:?usage: bench/compare-builds.sh BASE_REF [duration] [connections] [rounds]}
duration=${2:-10}
connections=${3:-32}
rounds=${4:-5}
stream=no
sim_port=18210; bare_port=18211; gw_port=18212; base_port=18213
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$work/base" 2>/dev/null || true; rm -rf "$work"' EXIT

git worktree add --detach "$work/base" "$base_ref" >/dev/null 2>&1
dotnet build "$work/base/LlmHost.Gateway/LlmHost.Gateway.csproj" -c Release --nologo -v q >/dev/null
dotnet build bench/BareProxy/BareProxy.csproj -c Release --nologo -v q >/dev/null

pin_sim="taskset -c 0"
pin_proxy="taskset -c 1"
source bench/lib.sh
bench_prepare
start_simulator
start_gateway base "$base_port" "$unlimited" "{ enabled: true }" "$work/base/LlmHost.Gateway/bin/Release/net10.0/LlmHost.Gateway.dll"
base_pid=$gw_pid
start_gateway gw "$gw_port"
now_pid=$gw_pid
taskset -c 1 dotnet bench/BareProxy/bin/Release/net10.0/BareProxy.dll --urls "http://127.0.0.1:$bare_port" \
  --destination "http://127.0.0.1:$sim_port" >"$work/bare.log" 2>&1 &
bare_pid=$!
wait_until_up "http://127.0.0.1:$sim_port/health" "http://127.0.0.1:$bare_port/health" \
  "http://127.0.0.1:$gw_port/health/ready" "http://127.0.0.1:$base_port/health/ready"

write_post_lua "$stream"
# Warmed together, as they are then measured: one at a time, the last one warmed was measured at up to 1.5 times
# the CPU per request of the same build warmed first, as if still settling.
for port in "$bare_port" "$base_port" "$gw_port"; do
  taskset -c 0 wrk -t1 -c"$connections" -d150s -s "$work/post.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null &
done
wait $(jobs -p | tail -n 3)

short=$(git rev-parse --short "$base_ref")
targets=("bare|bare YARP proxy|$bare_pid|$bare_port" "base|gateway at $short|$base_pid|$base_port" "now|gateway now|$now_pid|$gw_port")
# Each round starts the loaders in another order, so that no build is always the last one started.
echo "wrk -t1 -c$connections -d${duration}s per target, all at once, in a rotating order; POST /v1/chat/completions, 16 tokens; $(nproc) cores, $rounds rounds, DOTNET_TieredPGO=${DOTNET_TieredPGO:-1}"
echo
echo "| path | requests | req/s | p50 | p99 | CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
  shift_by=$(( (round - 1) % 3 ))
  load_round "$round" "${targets[@]:$shift_by}" "${targets[@]:0:$shift_by}" | tee -a "$work/rows"
done
bare=$(median_cpu "bare YARP proxy"); before=$(median_cpu "gateway at $short"); now=$(median_cpu "gateway now")
echo
echo "median CPU per request: bare YARP $bare µs, gateway at $short $before µs, gateway now $now µs;" \
  "now / before $(awk -v n="$now" -v b="$before" 'BEGIN { printf "%.2f", n / b }')"
