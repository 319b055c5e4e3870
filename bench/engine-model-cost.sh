#!/usr/bin/env bash
# CPU one simulated engine uses to model 256 running sequences in real time (--engine-model roofline, H100 ×
# Llama-3.1-8B, time scale 1): a closed loop of 256 clients asking for long, unstreamed answers keeps 256 sequences
# running; the simulator's CPU time over the measured window, per second of wall time, is its share of a core.
#   bench/engine-model-cost.sh [seconds=30]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
work=$(mktemp -d)
port=18450
trap 'kill "${sim_pid:-}" "${tool_pid:-}" 2>/dev/null || true' EXIT
source bench/lib.sh

dotnet build LlmHost.sln -c Release --nologo -v q >/dev/null
cat >"$work/load.yaml" <<YAML
name: engine-model-cost
duration: $((seconds + 20))s
stream: false
models: { names: [llama] }
tenants:
  - { name: client, users: 256, think_time: 1ms, user_tokens: { min: 200, max: 400 }, output_tokens: { min: 2000, max: 2000 } }
YAML
dotnet LlmHost.Simulator/bin/Release/net10.0/LlmHost.Simulator.dll --engine vllm --model llama --port "$port" \
  --engine-model roofline --gpu h100 --model-profile llama-3.1-8b --max-num-seqs 256 >"$work/sim.log" 2>&1 &
sim_pid=$!
wait_until_up "http://127.0.0.1:$port/health"
dotnet bench/Workload/bin/Release/net10.0/LlmHost.Workload.dll run --url "http://127.0.0.1:$port" --workload "$work/load.yaml" \
  --key x --drain 1s --out "$work" >/dev/null 2>&1 &
tool_pid=$!
sleep 10 # every client has its request running
running=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^vllm:num_requests_running/ { print $2 }')
before=$(cpu "$sim_pid")
sleep "$seconds"
after=$(cpu "$sim_pid")
running_after=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^vllm:num_requests_running/ { print $2 }')
awk -v b="$before" -v a="$after" -v s="$seconds" -v r0="$running" -v r1="$running_after" \
  'BEGIN { printf "running sequences: %s at the start, %s at the end; simulator CPU: %.2f s over %d s = %.1f %% of a core\n", r0, r1, a - b, s, (a - b) / s * 100 }'
