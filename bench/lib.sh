# Shared by the bench scripts: start a zero-latency simulator and a gateway in front of it, wait for both, and read
# a process's CPU time. Source it after setting $work, $sim_port and $gw_port; prefix commands with $pin_sim /
# $pin_proxy (e.g. "taskset -c 0") to pin them.

# The gateway authenticates every request, as in production: one bench key.
bench_key=sk-llmhost-bench-BenchmarkOnlySecret000000000000000000000000
bench_key_sha256=1197d7d24a81ddfd1c14a5bc38a450c93b781ece51c20b6069731d2f6b31ebfc

start_simulator() {
  ${pin_sim:-} dotnet LlmHost.Simulator/bin/Release/net10.0/LlmHost.Simulator.dll --engine vllm --model bench-model \
    --port "$sim_port" --max-num-seqs 1024 --output-len 16 >"$work/sim.log" 2>&1 &
  sim_pid=$!
}

start_gateway() {
  cat >"$work/api_keys.json" <<JSON
{"keys": [{"id": "bench", "role": "user", "key_sha256": "$bench_key_sha256", "models": ["*"]}]}
JSON
  cat >"$work/config.yaml" <<YAML
routing: { discovery_interval: 10s }
backends:
  - { name: sim, engine: vllm, mode: external, model: bench-model, url: "http://127.0.0.1:$sim_port" }
YAML
  ${pin_proxy:-} dotnet LlmHost.Gateway/bin/Release/net10.0/LlmHost.Gateway.dll --urls "http://127.0.0.1:$gw_port" \
    --config "$work/config.yaml" --keys "$work/api_keys.json" --Logging:LogLevel:Default=Warning >"$work/gw.log" 2>&1 &
  gw_pid=$!
}

wait_until_up() { # url...
  for url in "$@"; do
    for _ in $(seq 1 100); do curl -sf "$url" >/dev/null && break; sleep 0.1; done
  done
}

# CPU seconds (user + system) a process has used, from /proc/PID/stat.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }
