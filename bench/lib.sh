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

# Without limits unless a limits: block is given, so that the benchmarks measure throughput, not the shipped defaults.
unlimited='{ defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 0 }, global: { concurrency: 0 } }'

start_gateway() { # [name] [port] [limits-yaml] [access-log-yaml] [gateway-dll]; sets gw_pid
  local name=${1:-gw} port=${2:-$gw_port} limits=${3:-$unlimited} access_log=${4:-"{ enabled: true }"}
  local dll=${5:-LlmHost.Gateway/bin/Release/net10.0/LlmHost.Gateway.dll}
  cat >"$work/api_keys.json" <<JSON
{"keys": [{"id": "bench", "role": "user", "key_sha256": "$bench_key_sha256", "models": ["*"]}]}
JSON
  cat >"$work/$name.yaml" <<YAML
routing: { discovery_interval: 10s }
limits: $limits
logging: { dir: "$work/logs-$name", access_log: $access_log }
backends:
  - { name: sim, engine: vllm, mode: external, model: bench-model, url: "http://127.0.0.1:$sim_port" }
YAML
  ${pin_proxy:-} dotnet "$dll" --urls "http://127.0.0.1:$port" \
    --config "$work/$name.yaml" --keys "$work/api_keys.json" --Logging:LogLevel:Default=Warning >"$work/$name.log" 2>&1 &
  gw_pid=$!
}

wait_until_up() { # url...
  for url in "$@"; do
    for _ in $(seq 1 100); do curl -sf "$url" >/dev/null && break; sleep 0.1; done
  done
}

# CPU seconds (user + system) a process has used, from /proc/PID/stat.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# The POST body of the load: a 16-token chat answer, streamed or not; written to $work/post.lua for wrk.
write_post_lua() { # stream: yes|no
  local body='{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16,"ignore_eos":true'
  if [ "$1" = "yes" ]; then body="$body,\"stream\":true}"; else body="$body}"; fi
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $bench_key"
wrk.body = '$body'
LUA
}

row() { # name wrk-output cpu-before cpu-after
  if grep -q "Non-2xx" "$2"; then echo "error: $1 got error answers:" >&2; cat "$2" >&2; exit 1; fi
  awk -v n="$1" -v r="$(awk '/requests in/ {print $1}' "$2")" -v rps="$(awk '/Requests\/sec/ {print $2}' "$2")" \
      -v p50="$(awk '$1 == "50%" {print $2}' "$2")" -v p99="$(awk '$1 == "99%" {print $2}' "$2")" -v c0="$3" -v c1="$4" 'BEGIN {
    printf "| %s | %s | %.0f | %s | %s | %.1f |\n", n, r, rps, p50, p99, (c1 - c0) * 1e6 / r }'
}

# Loads every target at the same time, each by its own wrk on CPU 0, so that whatever else the shared machine does
# weighs on all alike; prints one table row per target. A target is "slug|display name|pid|port".
load_round() { # round target...
  local round=$1; shift
  local -a before=() loaders=()
  local target slug name pid port i=0
  for target in "$@"; do
    IFS='|' read -r slug name pid port <<<"$target"
    before+=("$(cpu "$pid")")
    taskset -c 0 wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" "http://127.0.0.1:$port/v1/chat/completions" >"$work/$slug.txt" &
    loaders+=($!)
  done
  wait "${loaders[@]}"
  for target in "$@"; do
    IFS='|' read -r slug name pid port <<<"$target"
    row "$name (round $round)" "$work/$slug.txt" "${before[$i]}" "$(cpu "$pid")"
    i=$((i + 1))
  done
}

# .NET reaches its final (tier-1) code only after tens of thousands of requests, and the gateway, with more hot code
# than a bare proxy, takes longer: load each target for 30 s first (shorter warm-ups showed in the first rounds).
warm_up() { # port...
  local port
  for port in "$@"; do
    taskset -c 0 wrk -t1 -c"$connections" -d30s -s "$work/post.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
  done
}

# The median of the CPU column over the rounds of one target, from the rows collected in $work/rows.
median_cpu() { # display-name
  grep "$1 (round" "$work/rows" | awk -F'|' '{print $7}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# Builds in Release (after installing wrk and the other Debian packages). The runtime keeps its default
# configuration, as users run it (dynamic PGO on); LLMHOST_BENCH_PGO=0 turns PGO off to study its effect.
bench_prepare() {
  if [ "${LLMHOST_BENCH_PGO:-1}" = "0" ]; then
    export DOTNET_TieredPGO=0
  fi
  bash scripts/install-deps.sh --bench
  dotnet build LlmHost.sln -c Release --nologo -v q >/dev/null
}

# Prints the table header, then $rounds rounds of load_round over the targets; rows also go to $work/rows.
run_rounds() { # first-column-title target...
  local title=$1 round; shift
  echo "wrk -t1 -c$connections -d${duration}s per target, all at once; POST /v1/chat/completions, 16 tokens, stream=$stream; $(nproc) cores, $rounds rounds, DOTNET_TieredPGO=${DOTNET_TieredPGO:-1}"
  echo
  echo "| $title | requests | req/s | p50 | p99 | CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|"
  for round in $(seq 1 "$rounds"); do
    load_round "$round" "$@" | tee -a "$work/rows"
  done
}

# Latency scripts (adapter-load.sh, wake.sh): a key file with the bench key and an admin key, in $work/api_keys.json.
admin_key=sk-llmhost-benchadmin-BenchmarkOnlySecret00000000000000000000000
write_keys_with_admin() {
  cat >"$work/api_keys.json" <<JSON
{"keys": [
  {"id": "bench", "role": "user", "key_sha256": "$bench_key_sha256", "models": ["*"]},
  {"id": "benchadmin", "role": "admin", "key_sha256": "$(printf %s "$admin_key" | sha256sum | cut -d' ' -f1)", "models": ["*"]}
]}
JSON
}

# The median of the seconds read on standard input, in milliseconds with one decimal.
median_ms() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) * 1000 }'; }

# One chat completion of 16 tokens through the gateway: prints curl's time_total in seconds.
timed_chat() { # model
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$gw_port/v1/chat/completions" -H "Authorization: Bearer $bench_key" \
    -H 'Content-Type: application/json' -d "{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":16,\"ignore_eos\":true}"
}
