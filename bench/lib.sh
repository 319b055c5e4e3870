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

# The bench key file and a gateway's config.yaml ($work/NAME.yaml): one backend at URL, the given limits and access log.
write_gateway_config() { # name backend-name url limits access-log
  cat >"$work/api_keys.json" <<JSON
{"keys": [{"id": "bench", "role": "user", "key_sha256": "$bench_key_sha256", "models": ["*"]}]}
JSON
  cat >"$work/$1.yaml" <<YAML
routing: { discovery_interval: 10s }
limits: $4
logging: { dir: "$work/logs-$1", access_log: $5 }
backends:
  - { name: $2, engine: vllm, mode: external, model: bench-model, url: "$3" }
YAML
}

start_gateway() { # [name] [port] [limits-yaml] [access-log-yaml] [gateway-dll]; sets gw_pid
  local name=${1:-gw} port=${2:-$gw_port} limits=${3:-$unlimited} access_log=${4:-"{ enabled: true }"}
  local dll=${5:-LlmHost.Gateway/bin/Release/net10.0/LlmHost.Gateway.dll}
  write_gateway_config "$name" sim "http://127.0.0.1:$sim_port" "$limits" "$access_log"
  ${pin_proxy:-} dotnet "$dll" --urls "http://127.0.0.1:$port" \
    --config "$work/$name.yaml" --keys "$work/api_keys.json" --Logging:LogLevel:Default=Warning >"$work/$name.log" 2>&1 &
  gw_pid=$!
}

wait_until_up() { # url...
  for url in "$@"; do
    for _ in $(seq 1 100); do curl -sf "$url" >/dev/null && break; sleep 0.1; done
  done
}

# The process listening on a loopback port (a gateway started from its own directory by a subshell: not $!).
pid_of_port() { ss -ltnpH "sport = :$1" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }

# CPU seconds (user + system) a process has used, from /proc/PID/stat.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# The POST body of the load: a 16-token chat answer, streamed or not; written to $work/post.lua for wrk.
write_post_lua() { # stream: yes|no
  local body='{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16,"ignore_eos":true'
  if [ "$1" = "yes" ]; then body="$body,\"stream\":true}"; else body="$body}"; fi
  post_lua "$work/post.lua" "$body"
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

# --- An upstream that answers at once and is never the bottleneck (bench/perf.sh, bench/profile.sh): Nginx on CPU 0
# with canned answers — a 16-token chat completion with usage, or a 20-chunk stream ending with its usage chunk. The
# stream is sent chunked (Transfer-Encoding), as engines send theirs: Nginx's `return` alone would give it a
# Content-Length, which a bare proxy passes on (writing a body of known length) and the gateway cannot (it may drop
# the usage chunk or add an error event); an empty `add_after_body` makes the length unknown.
canned_usage='"usage":{"prompt_tokens":12,"total_tokens":28,"completion_tokens":16}'
canned_models='{"object":"list","data":[{"id":"bench-model","object":"model","created":1,"owned_by":"vllm","root":"bench-model","max_model_len":8192}]}'
canned_json="{\"id\":\"chatcmpl-b\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"bench-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen\"},\"finish_reason\":\"length\"}],$canned_usage}"
canned_stream=""
for i in $(seq 1 20); do
  canned_stream+="data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word$i\"},\"finish_reason\":null}]}\n\n"
done
canned_stream="$(printf '%b' "${canned_stream}data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench-model\",\"choices\":[],$canned_usage}\n\ndata: [DONE]\n\n")"
bench_body_json='{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16}'
bench_body_stream='{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16,"stream":true}'

start_nginx_upstream() { # port:json|stream ...; Nginx on CPU 0, stopped by kill "$(cat "$work/nginx.pid")"
  local servers="" spec port kind
  for spec in "$@"; do
    port=${spec%%:*}; kind=${spec##*:}
    if [ "$kind" = stream ]; then
      servers+="server { listen 127.0.0.1:$port; location = /health { return 200; }
        location = /v1/models { default_type application/json; return 200 '$canned_models'; }
        location = /end-of-stream { return 204; }
        location / { default_type text/event-stream; addition_types text/event-stream; add_after_body /end-of-stream;
          return 200 '$canned_stream'; } }
"
    else
      servers+="server { listen 127.0.0.1:$port; location = /health { return 200; }
        location = /v1/models { default_type application/json; return 200 '$canned_models'; }
        location / { default_type application/json; return 200 '$canned_json'; } }
"
    fi
  done
  cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
worker_cpu_affinity 01;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work/nginx-body; keepalive_requests 1000000;
$servers}
NGINX
  nginx -c "$work/nginx.conf" -p "$work"
}

# Limits set high: every admission step runs, none refuses.
high_limits='{ defaults: { qps: 1000000, burst: 1000000, concurrency: 100000, tpm: 1000000000 }, global: { concurrency: 100000 } }'

# A gateway as users run it — from its own directory, so that the shipped appsettings.json applies — on CPU 1, in
# front of an upstream; extra environment (runtime settings) after the access-log block, and from
# $LLMHOST_BENCH_GATEWAY_ENV. The process replaces its subshell: $! is the gateway's pid.
start_upstream_gateway() { # name port upstream-port limits access-log [VAR=value...]
  local name=$1 port=$2 upstream=$3; shift 3
  write_gateway_config "$name" upstream "http://127.0.0.1:$upstream" "$1" "$2"
  shift 2
  # shellcheck disable=SC2086
  (cd LlmHost.Gateway/bin/Release/net10.0 && exec env "$@" ${LLMHOST_BENCH_GATEWAY_ENV:-} taskset -c 1 dotnet LlmHost.Gateway.dll \
    --urls "http://127.0.0.1:$port" --config "$work/$name.yaml" --keys "$work/api_keys.json" >"$work/$name.log" 2>&1) &
}

post_lua() { # file body [pace-ms]: a wrk script posting body with the bench key, each connection pacing itself if asked
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $bench_key"
wrk.body = '$2'
LUA
  if [ -n "${3:-}" ]; then echo "function delay() return $3 end" >>"$1"; fi
}
