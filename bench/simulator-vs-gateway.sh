#!/usr/bin/env bash
# Throughput and CPU cost per request of LlmHost.Simulator (zero latency) hit directly, and of the same
# simulator behind LlmHost.Gateway, measured in one run on loopback. Prints a Markdown table for
# docs/BENCHMARKS.md.
#   bench/simulator-vs-gateway.sh [duration-seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
sim_port=18100
gw_port=18180
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

bash scripts/install-deps.sh --bench
dotnet build LlmHost.sln -c Release --nologo -v q >/dev/null

source bench/lib.sh
start_simulator
start_gateway
wait_until_up "http://127.0.0.1:$sim_port/health" "http://127.0.0.1:$gw_port/health/ready"

run() { # name url
  wrk -t2 -c"$connections" -d2s -s bench/chat.lua "$2" >/dev/null   # warm-up (JIT, connection pools)
  local sim0 gw0 sim1 gw1
  sim0=$(cpu $sim_pid); gw0=$(cpu $gw_pid)
  wrk -t2 -c"$connections" -d"${duration}s" --latency -s bench/chat.lua "$2" >"$work/$1.txt"
  sim1=$(cpu $sim_pid); gw1=$(cpu $gw_pid)
  if grep -q "Non-2xx" "$work/$1.txt"; then echo "error: $1 got error answers:" >&2; cat "$work/$1.txt" >&2; exit 1; fi
  local requests rps p50 p99
  requests=$(awk '/requests in/ {print $1}' "$work/$1.txt")
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$1.txt")
  awk -v n="$1" -v r="$requests" -v rps="$rps" -v p50="$p50" -v p99="$p99" \
      -v s="$sim1" -v s0="$sim0" -v g="$gw1" -v g0="$gw0" 'BEGIN {
    s -= s0; g -= g0
    printf "| %s | %s | %.0f | %s | %s | %.1f | %.1f |\n", n, r, rps, p50, p99, s * 1e6 / r, g * 1e6 / r }'
}

echo "wrk -t2 -c$connections -d${duration}s, POST /v1/chat/completions (16 tokens answered), $(nproc) cores"
echo
echo "| path | requests | req/s | p50 | p99 | simulator CPU µs/req | gateway CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|---:|"
run "client → simulator" "http://127.0.0.1:$sim_port/v1/chat/completions"
run "client → gateway → simulator" "http://127.0.0.1:$gw_port/v1/chat/completions"
