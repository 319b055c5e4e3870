#!/usr/bin/env bash
# Where the gateway's CPU goes, per feature: the gateway as users run it (Release, shipped appsettings.json, default
# runtime configuration, auth, limits set high, metrics, access log) alone on CPU 1 in front of Nginx (CPU 0), warmed
# up, then sampled with perf (DOTNET_PerfMapEnabled=1 names the JIT-compiled methods) under wrk load; each sample
# is attributed by bench/profile-features.py to the innermost frame that names a feature.
#   bench/profile.sh [warm-up-seconds] [profile-seconds] [connections] [stream: yes|no]
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-30}
duration=${2:-15}
connections=${3:-32}
stream=${4:-no}
upstream_port=18700; gw_port=18701
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT

source bench/lib.sh
bench_prepare
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf >/dev/null; }

usage='"usage":{"prompt_tokens":12,"total_tokens":28,"completion_tokens":16}'
models='{"object":"list","data":[{"id":"bench-model","object":"model","created":1,"owned_by":"vllm","root":"bench-model","max_model_len":8192}]}'
if [ "$stream" = yes ]; then
  answer=""
  for i in $(seq 1 20); do
    answer+="data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word$i\"},\"finish_reason\":null}]}\n\n"
  done
  answer="$(printf '%b' "${answer}data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"bench-model\",\"choices\":[],$usage}\n\ndata: [DONE]\n\n")"
  type=text/event-stream
  body='{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16,"stream":true}'
else
  answer="{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"bench-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen\"},\"finish_reason\":\"length\"}],$usage}"
  type=application/json
  body='{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16}'
fi
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
worker_cpu_affinity 01;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx-body;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$upstream_port;
    location = /health { return 200; }
    location = /v1/models { default_type application/json; return 200 '$models'; }
    location / { default_type $type; return 200 '$answer'; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work"

cat >"$work/api_keys.json" <<JSON
{"keys": [{"id": "bench", "role": "user", "key_sha256": "$bench_key_sha256", "models": ["*"]}]}
JSON
cat >"$work/gw.yaml" <<YAML
routing: { discovery_interval: 10s }
limits: { defaults: { qps: 1000000, burst: 1000000, concurrency: 100000, tpm: 1000000000 }, global: { concurrency: 100000 } }
logging: { dir: "$work/logs", access_log: { enabled: true } }
backends:
  - { name: upstream, engine: vllm, mode: external, model: bench-model, url: "http://127.0.0.1:$upstream_port" }
YAML
(cd LlmHost.Gateway/bin/Release/net10.0 && exec env DOTNET_PerfMapEnabled=1 taskset -c 1 dotnet LlmHost.Gateway.dll \
  --urls "http://127.0.0.1:$gw_port" --config "$work/gw.yaml" --keys "$work/api_keys.json" >"$work/gw.log" 2>&1) &
gw_pid=$!
wait_until_up "http://127.0.0.1:$gw_port/health/ready"
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $bench_key"
wrk.body = '$body'
LUA
taskset -c 0 wrk -t1 -c"$connections" -d"${warmup}s" -s "$work/post.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >/dev/null

taskset -c 0 wrk -t1 -c"$connections" -d"$((duration + 2))s" -s "$work/post.lua" "http://127.0.0.1:$gw_port/v1/chat/completions" >"$work/load.txt" &
load=$!
sleep 1
before=$(cpu "$gw_pid")
perf record -F 2999 -g -p "$gw_pid" -o "$work/perf.data" -- sleep "$duration" 2>/dev/null
after=$(cpu "$gw_pid")
wait "$load"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/load.txt")
requests=$(awk -v r="$rps" -v d="$duration" 'BEGIN { printf "%.0f", r * d }')
echo "perf record -F 2999 -g, ${duration}s of wrk -t1 -c$connections after ${warmup}s of warm-up; stream=$stream; $rps req/s;" \
  "gateway CPU $(awk -v a="$after" -v b="$before" -v r="$requests" 'BEGIN { printf "%.1f", (a - b) * 1e6 / r }') µs/request"
echo
perf script -i "$work/perf.data" -F ip,sym,dso 2>/dev/null | python3 bench/profile-features.py "$requests" "$(awk -v a="$after" -v b="$before" 'BEGIN { print a - b }')"
if [ -n "${TOP:-}" ]; then
  echo
  perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -"$TOP"
fi
