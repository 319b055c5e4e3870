#!/usr/bin/env bash
# The added latency of a request that wakes a sleeping engine. A vLLM simulator in sleep mode whose wake from level 1
# takes WAKE_MS, the Release gateway in front (shipped appsettings, default runtime settings, warmed up with wrk).
# Per WAKE_MS, the medians of N sequential requests (curl, time_total) of:
#   awake     a request to the awake engine
#   direct    a wake call made straight to the engine after a sleep (what the engine itself takes)
#   asleep    the first request after the engine was put to sleep (through the admin API)
# added = asleep − awake; gateway's part = added − direct.
#   bench/wake.sh [samples=20] [wake-ms values="0 300"]
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-20}
wake_values=${2:-"0 300"}
work=$(mktemp -d)
sim_port=18330
gw_port=18331
source bench/lib.sh
cleanup() { kill "${gw_pid:-}" "${sim_pid:-}" 2>/dev/null || true; }
trap cleanup EXIT

bash scripts/install-deps.sh >/dev/null
dotnet build LlmHost.sln -c Release --nologo -v q >/dev/null
write_keys_with_admin

admin_sleep() {
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$gw_port/admin/backends/sim/sleep" -H "Authorization: Bearer $admin_key"
}

echo "engine wakes: $samples samples each, $(nproc) cores; medians in ms (curl time_total)"
echo
echo "| simulated wake (ms) | awake | direct engine wake | first request, engine asleep | added by the wake | gateway's part |"
echo "|---:|---:|---:|---:|---:|---:|"
for wake_ms in $wake_values; do
  dotnet LlmHost.Simulator/bin/Release/net10.0/LlmHost.Simulator.dll --engine vllm --model bench-model --port "$sim_port" \
    --enable-sleep-mode --server-dev-mode --wake-ms "$wake_ms" --output-len 16 >"$work/sim.log" 2>&1 &
  sim_pid=$!
  cat >"$work/gw.yaml" <<YAML
routing: { discovery_interval: 10s }
limits: $unlimited
logging: { dir: "$work/logs" }
backends:
  - { name: sim, engine: vllm, mode: external, model: bench-model, url: "http://127.0.0.1:$sim_port", sleep: { enabled: true } }
YAML
  dotnet LlmHost.Gateway/bin/Release/net10.0/LlmHost.Gateway.dll --urls "http://127.0.0.1:$gw_port" \
    --config "$work/gw.yaml" --keys "$work/api_keys.json" --Logging:LogLevel:Default=Warning >"$work/gw.log" 2>&1 &
  gw_pid=$!
  wait_until_up "http://127.0.0.1:$sim_port/health" "http://127.0.0.1:$gw_port/health/ready"
  write_post_lua no
  wrk -t1 -c8 -d10s -s "$work/post.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >/dev/null

  awake=$(for _ in $(seq "$samples"); do timed_chat bench-model; done | median_ms)
  direct=$(for _ in $(seq "$samples"); do
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$sim_port/sleep?level=1"
    curl -s -o /dev/null -w '%{time_total}\n' -X POST "http://127.0.0.1:$sim_port/wake_up"
  done | median_ms)
  asleep=$(for _ in $(seq "$samples"); do admin_sleep; timed_chat bench-model; done | median_ms)
  awk -v w="$wake_ms" -v a="$awake" -v d="$direct" -v s="$asleep" \
    'BEGIN { printf "| %d | %.1f | %.1f | %.1f | %.1f | %.1f |\n", w, a, d, s, s - a, s - a - d }'
  kill "$gw_pid" "$sim_pid"; wait "$gw_pid" "$sim_pid" 2>/dev/null || true
done
