#!/usr/bin/env bash
# What metrics and the access log cost on the hot path: gateway CPU per request with both on (the default: the
# LlmHost.Gateway meter, ASP.NET Core and runtime metrics through OpenTelemetry, one JSON access-log line per request
# to a rotating file) against both off (OTEL_SDK_DISABLED=true, access_log.enabled: false). Both gateways run
# without limits, pinned to CPU 1, and are loaded at once in each round; wrk and the simulator on CPU 0.
#   bench/observability-cost.sh [duration-seconds] [connections] [stream: yes|no] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-16}
stream=${3:-no}
rounds=${4:-3}
sim_port=18500; on_port=18501; off_port=18502
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

pin_sim="taskset -c 0"
pin_proxy="taskset -c 1"
source bench/lib.sh
bench_prepare
start_simulator
start_gateway on "$on_port"; on_pid=$gw_pid
OTEL_SDK_DISABLED=true start_gateway off "$off_port" "$unlimited" "{ enabled: false }"; off_pid=$gw_pid
wait_until_up "http://127.0.0.1:$sim_port/health" "http://127.0.0.1:$on_port/health/ready" "http://127.0.0.1:$off_port/health/ready"

write_post_lua "$stream"
warm_up "$on_port" "$off_port"

run_rounds gateway "off|metrics and access log off|$off_pid|$off_port" "on|metrics and access log on|$on_pid|$on_port"
off=$(median_cpu "metrics and access log off"); on=$(median_cpu "metrics and access log on")
lines=$(cat "$work"/logs-on/access-*.json 2>/dev/null | wc -l)
echo
echo "median gateway CPU per request: off $off µs, on $on µs, ratio $(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", a / b }'); access-log lines written: $lines"
