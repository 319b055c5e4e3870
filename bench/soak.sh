#!/usr/bin/env bash
# Soak (not in CI): N minutes of mixed plain and streamed chat completions through the Release gateway, with a
# tenth of the clients going away half way. Passes with zero 5xx, zero leases and reservations held afterwards, and
# the gateway's RSS flat within 10 % from the end of the warm-up to the end. Prints a Markdown table.
#   bench/soak.sh [seconds=600] [clients=32] [warm-up seconds=60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
clients=${2:-32}
warm=${3:-60}
work=$(mktemp -d)
sim_port=18310
gw_port=18311
source bench/lib.sh
cleanup() { kill "${gw_pid:-}" "${sim_pid:-}" 2>/dev/null || true; }
trap cleanup EXIT

bash scripts/install-deps.sh
dotnet build LlmHost.sln -c Release --nologo -v q >/dev/null
dotnet build bench/Soak/Soak.csproj -c Release --nologo -v q >/dev/null
dotnet LlmHost.Simulator/bin/Release/net10.0/LlmHost.Simulator.dll --engine vllm --model m --port "$sim_port" \
  --ttft-ms 30 --itl-ms 4 --max-num-seqs 256 >"$work/sim.log" 2>&1 &
sim_pid=$!
admin_key=sk-llmhost-soakadmin-SoakOnlySecret0000000000000000000000000000
cat >"$work/api_keys.json" <<JSON
{"keys": [
  {"id": "bench", "role": "user", "key_sha256": "$bench_key_sha256", "models": ["*"]},
  {"id": "soakadmin", "role": "admin", "key_sha256": "$(printf %s "$admin_key" | sha256sum | cut -d' ' -f1)", "models": ["*"]}
]}
JSON
cat >"$work/gw.yaml" <<YAML
routing: { discovery_interval: 10s }
limits: { defaults: { qps: 0, burst: 0, concurrency: 256, tpm: 1000000000 }, global: { concurrency: 1024 } }
logging: { dir: "$work/logs" }
backends:
  - { name: sim, engine: vllm, mode: external, model: m, url: "http://127.0.0.1:$sim_port" }
YAML
# As users run it: the shipped appsettings.json, default runtime settings.
dotnet LlmHost.Gateway/bin/Release/net10.0/LlmHost.Gateway.dll --urls "http://127.0.0.1:$gw_port" \
  --config "$work/gw.yaml" --keys "$work/api_keys.json" >"$work/gw.log" 2>&1 &
gw_pid=$!
wait_until_up "http://127.0.0.1:$sim_port/health" "http://127.0.0.1:$gw_port/health/ready"
echo "soak: $seconds s, $clients clients, warm-up $warm s, $(nproc) cores; gateway pid $gw_pid"
echo
echo "| | |"
echo "|---|---|"
dotnet bench/Soak/bin/Release/net10.0/Soak.dll "http://127.0.0.1:$gw_port" "$bench_key" "$admin_key" "$gw_pid" "$seconds" "$clients" "$warm"
