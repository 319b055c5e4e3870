#!/usr/bin/env bash
# The added latency of a request that loads its LoRA adapter on demand. A vLLM simulator whose runtime adapter loads
# take LOAD_MS, the Release gateway in front (shipped appsettings, default runtime settings, warmed up with wrk).
# Per LOAD_MS, the medians of N sequential requests (curl, time_total) of:
#   base      a request for the base model
#   loaded    a request for an adapter already loaded
#   direct    a load call made straight to the engine (what the engine itself takes)
#   on demand the first request for an adapter registered but loaded nowhere (a new adapter each time)
# added = on demand − loaded; gateway's part = added − direct.
#   bench/adapter-load.sh [samples=20] [load-ms values="0 500"]
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-20}
load_values=${2:-"0 500"}
work=$(mktemp -d)
sim_port=18320
gw_port=18321
source bench/lib.sh
cleanup() { kill "${gw_pid:-}" "${sim_pid:-}" 2>/dev/null || true; }
trap cleanup EXIT

bash scripts/install-deps.sh >/dev/null
dotnet build LlmHost.sln -c Release --nologo -v q >/dev/null
write_keys_with_admin

admin_post() { # json
  curl -sf -o /dev/null "http://127.0.0.1:$gw_port/admin/adapters" -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' -d "$1"
}

echo "adapter loads: $samples samples each, $(nproc) cores; medians in ms (curl time_total)"
echo
echo "| simulated load (ms) | base | loaded adapter | direct engine load | first request, adapter loaded on demand | added by the load | gateway's part |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for load_ms in $load_values; do
  dotnet LlmHost.Simulator/bin/Release/net10.0/LlmHost.Simulator.dll --engine vllm --model bench-model --port "$sim_port" \
    --enable-lora --allow-runtime-lora --lora-load-ms "$load_ms" --output-len 16 >"$work/sim.log" 2>&1 &
  sim_pid=$!
  cat >"$work/gw.yaml" <<YAML
routing: { discovery_interval: 10s }
limits: $unlimited
logging: { dir: "$work/logs" }
backends:
  - { name: sim, engine: vllm, mode: external, model: bench-model, url: "http://127.0.0.1:$sim_port", lora: { max_loaded: 256, min_idle: 0s } }
YAML
  rm -f "$work/adapters.json"
  dotnet LlmHost.Gateway/bin/Release/net10.0/LlmHost.Gateway.dll --urls "http://127.0.0.1:$gw_port" \
    --config "$work/gw.yaml" --keys "$work/api_keys.json" --Logging:LogLevel:Default=Warning >"$work/gw.log" 2>&1 &
  gw_pid=$!
  wait_until_up "http://127.0.0.1:$sim_port/health" "http://127.0.0.1:$gw_port/health/ready"

  admin_post '{"name":"warm","path":"/adapters/warm","base_model":"bench-model"}'
  write_post_lua no
  sed -i 's/"model":"bench-model"/"model":"warm"/' "$work/post.lua"
  wrk -t1 -c8 -d10s -s "$work/post.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >/dev/null
  write_post_lua no
  wrk -t1 -c8 -d10s -s "$work/post.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >/dev/null

  base=$(for _ in $(seq "$samples"); do timed_chat bench-model; done | median_ms)
  loaded=$(for _ in $(seq "$samples"); do timed_chat warm; done | median_ms)
  direct=$(for i in $(seq "$samples"); do
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$sim_port/v1/load_lora_adapter" -H 'Content-Type: application/json' \
      -d "{\"lora_name\":\"direct-$i\",\"lora_path\":\"/adapters/direct-$i\"}"
  done | median_ms)
  for i in $(seq "$samples"); do
    admin_post "{\"name\":\"lazy-$i\",\"path\":\"/adapters/lazy-$i\",\"base_model\":\"bench-model\",\"instances\":[]}"
  done
  first=$(for i in $(seq "$samples"); do timed_chat "lazy-$i"; done | median_ms)
  awk -v l="$load_ms" -v b="$base" -v w="$loaded" -v d="$direct" -v f="$first" \
    'BEGIN { printf "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |\n", l, b, w, d, f, f - w, f - w - d }'
  kill "$gw_pid" "$sim_pid"; wait "$gw_pid" "$sim_pid" 2>/dev/null || true
done
