#!/usr/bin/env bash
# A simulated GPU cluster behind the gateway, measured with the workload tool: N engines of one profile
# (LlmHost.Simulator --engine-model roofline), the Release gateway in front with one routing policy at a time, and
# each workload replayed at several rates. "oracle" sends each tenant straight to one engine (tenant i to engine
# i mod N): the placement a perfect cache-aware router would make for tenants that never share prompts.
# Engines and gateway restart for every run, so no run inherits another's cache. Bounded: each run lasts the
# workload's duration divided by the time scale, plus at most --drain for requests still running.
#   bench/cluster.sh [--engines 4] [--gpu l4] [--model-profile llama-3.1-8b] [--time-scale 4] [--rates "0.5 1 1.5"]
#                    [--policies "round_robin random least_outstanding oracle"] [--duration 120s] [--drain 30s]
#                    [--gpu-memory-utilization 0.9] [--max-num-seqs 256] [--flow-control "max_in_flight_per_instance: 4"]
#                    [--out bench/results/cluster] WORKLOAD.yaml...
# A policy with "+fc" (prefix_aware+fc) runs with flow control on (routing.flow_control: shipped thresholds, or
# --flow-control's settings).
# Writes one JSON/Markdown/SVG per run and a comparison.md/.svg per workload into --out/<workload>/.
set -euo pipefail
cd "$(dirname "$0")/.."
engines=4 gpu=l4 profile=llama-3.1-8b time_scale=4 rates="0.5 1 1.5" duration="" drain=30s memory=0.9 flow_settings="" max_num_seqs=256
policies="round_robin random least_outstanding oracle" out=bench/results/cluster
workloads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines=$2; shift 2 ;;
    --gpu) gpu=$2; shift 2 ;;
    --model-profile) profile=$2; shift 2 ;;
    --time-scale) time_scale=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --policies) policies=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --drain) drain=$2; shift 2 ;;
    --gpu-memory-utilization) memory=$2; shift 2 ;;
    --max-num-seqs) max_num_seqs=$2; shift 2 ;;
    --flow-control) flow_settings=", $2"; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) workloads+=("$1"); shift ;;
  esac
done
[ ${#workloads[@]} -gt 0 ] || workloads=(bench/workloads/shared-prefix.yaml bench/workloads/random.yaml bench/workloads/noisy-neighbour.yaml bench/workloads/lora-mix.yaml)

work=$(mktemp -d)
base_port=18400
gw_port=18399
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
source bench/lib.sh

dotnet build LlmHost.sln -c Release --nologo -v q >/dev/null
workload_tool=bench/Workload/bin/Release/net10.0/LlmHost.Workload.dll

# One key per tenant (up to 256), so per-key accounting sees tenants as they are.
: >"$work/keys.txt"
printf '{"keys": [\n' >"$work/api_keys.json"
for i in $(seq -w 1 256); do
  key="sk-llmhost-bench-tenant$i-BenchmarkOnlySecret0000000000000000000"
  echo "$key" >>"$work/keys.txt"
  sep=$([ "$i" = 256 ] && echo "" || echo ",")
  printf '  {"id": "tenant%s", "role": "user", "key_sha256": "%s", "models": ["*"], "limits": {"max_priority": "interactive"}}%s\n' "$i" "$(printf %s "$key" | sha256sum | cut -d' ' -f1)" "$sep" >>"$work/api_keys.json"
done
printf ']}\n' >>"$work/api_keys.json"

# Every engine serves the base model "llama" and sixteen adapters (lora-mix), four of them per batch.
adapters=$(for i in $(seq 1 16); do printf 'sql-%d=/adapters/sql-%d ' "$i" "$i"; done)

start_cluster() { # policy
  pids=()
  local urls="" metrics="" backends=""
  # With flow control, the engines also schedule by priority and the gateway forwards each request's class.
  local gateway_policy=${1%+fc} flow_control=false priority=()
  [ "$1" != "$gateway_policy" ] && flow_control=true priority=(--scheduling-policy priority)
  [ "$gateway_policy" = oracle ] && gateway_policy=least_outstanding
  for e in $(seq 0 $((engines - 1))); do
    local port=$((base_port + e))
    # shellcheck disable=SC2086
    dotnet LlmHost.Simulator/bin/Release/net10.0/LlmHost.Simulator.dll --engine vllm --model llama --port "$port" \
      --engine-model roofline --gpu "$gpu" --model-profile "$profile" --time-scale "$time_scale" --gpu-memory-utilization "$memory" \
      --max-num-seqs "$max_num_seqs" --max-model-len 32768 --enable-prompt-tokens-details --lora-modules $adapters --max-loras 4 "${priority[@]}" >"$work/engine-$e.log" 2>&1 &
    pids+=($!)
    urls="$urls${urls:+,}http://127.0.0.1:$port"
    metrics="$metrics${metrics:+,}http://127.0.0.1:$port/metrics"
    backends="$backends  - { name: engine-$e, engine: vllm, mode: external, model: llama, url: \"http://127.0.0.1:$port\", priority_scheduling: $flow_control }
"
  done
  engine_urls=$urls engine_metrics=$metrics
  # Engines first: a gateway that meets refusing engines waits out its breakers (10 s) before it routes to them.
  for e in $(seq 0 $((engines - 1))); do wait_until_up "http://127.0.0.1:$((base_port + e))/health"; done
  cat >"$work/gw.yaml" <<YAML
routing: { policy: $gateway_policy, discovery_interval: 2s, flow_control: { enabled: $flow_control$flow_settings } }
limits: $unlimited
logging: { dir: "$work/logs", access_log: { enabled: true } }
backends:
$backends
YAML
  dotnet LlmHost.Gateway/bin/Release/net10.0/LlmHost.Gateway.dll --urls "http://127.0.0.1:$gw_port" \
    --config "$work/gw.yaml" --keys "$work/api_keys.json" --Logging:LogLevel:Default=Warning >"$work/gw.log" 2>&1 &
  pids+=($!)
  wait_until_up "http://127.0.0.1:$gw_port/health/ready"
  # Discovery has seen every engine (and its adapters) before the run starts.
  sleep 2.5
}

stop_cluster() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=(); }

echo "cluster: $engines × $gpu × $profile, time scale $time_scale, rates × ($rates), policies: $policies; $(nproc) cores"
for workload in "${workloads[@]}"; do
  name=$(basename "$workload" .yaml)
  dir="$out/$name"
  mkdir -p "$dir"
  runs=()
  for rate in $rates; do
    for policy in $policies; do
      start_cluster "$policy"
      direct=()
      [ "$policy" = oracle ] && direct=(--direct "$engine_urls")
      run_name="$policy-x$rate"
      dotnet "$workload_tool" run --url "http://127.0.0.1:$gw_port" --workload "$workload" --keys-file "$work/keys.txt" \
        --label "$policy" --time-scale "$time_scale" --rate-scale "$rate" --drain "$drain" ${duration:+--duration "$duration"} \
        --engine-metrics "$engine_metrics" "${direct[@]}" --out "$dir" --name "$run_name" >/dev/null \
        || echo "warning: every request of $name/$run_name failed (see $dir/$run_name.md)" >&2
      runs+=("$dir/$run_name.json")
      stop_cluster
    done
  done
  echo
  echo "### $name"
  echo
  dotnet "$workload_tool" report --out "$dir" --name comparison "${runs[@]}"
done
