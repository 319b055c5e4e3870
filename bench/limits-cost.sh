#!/usr/bin/env bash
# What the limits cost on the hot path: gateway CPU per request with limits off, with all three per-key limits and
# the global limit enforced in memory (set so high that nothing is refused, so every request takes and gives back a
# lease, a QPS token and a token reservation, with the prompt tokenized), and the same in Redis (when redis-server is
# installed). All gateways run pinned to CPU 1 and are loaded at once in each round; wrk and the simulator on CPU 0.
# Prints a Markdown table for docs/BENCHMARKS.md.
#   bench/limits-cost.sh [duration-seconds] [connections] [stream: yes|no] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-16}
stream=${3:-no}
rounds=${4:-3}
sim_port=18300; off_port=18301; mem_port=18302; redis_gw_port=18303; redis_port=18304
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

pin_sim="taskset -c 0"
pin_proxy="taskset -c 1"
source bench/lib.sh
bench_prepare
high='defaults: { qps: 1000000, burst: 1000000, concurrency: 100000, tpm: 1000000000000 }, global: { concurrency: 100000 }'
start_simulator
start_gateway off "$off_port"; off_pid=$gw_pid
start_gateway memory "$mem_port" "{ store: memory, $high }"; mem_pid=$gw_pid
targets=("off|limits off|$off_pid|$off_port" "memory|limits on, memory|$mem_pid|$mem_port")
urls=("http://127.0.0.1:$off_port/health/ready" "http://127.0.0.1:$mem_port/health/ready")
if command -v redis-server >/dev/null; then
  taskset -c 0 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  start_gateway redis "$redis_gw_port" "{ store: redis, redis: { connection_string: '127.0.0.1:$redis_port' }, $high }"; redis_pid=$gw_pid
  targets+=("redis|limits on, redis|$redis_pid|$redis_gw_port")
  urls+=("http://127.0.0.1:$redis_gw_port/health/ready")
fi
wait_until_up "http://127.0.0.1:$sim_port/health" "${urls[@]}"

write_post_lua "$stream"
warm_up "$off_port" "$mem_port" ${redis_pid:+"$redis_gw_port"}

run_rounds gateway "${targets[@]}"
off=$(median_cpu "limits off"); memory=$(median_cpu "limits on, memory")
echo
echo "median gateway CPU per request: limits off $off µs, on (memory) $memory µs, ratio $(awk -v m="$memory" -v o="$off" 'BEGIN { printf "%.2f", m / o }')"
if [ -n "${redis_pid:-}" ]; then
  redis=$(median_cpu "limits on, redis")
  echo "on (redis) $redis µs, ratio $(awk -v r="$redis" -v o="$off" 'BEGIN { printf "%.2f", r / o }')"
fi
