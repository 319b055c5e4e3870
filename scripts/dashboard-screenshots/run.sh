#!/usr/bin/env bash
# Retakes the Aspire dashboard screenshots of docs/MONITORING_SETUP.md (docs/images/dashboard-*.png): starts the
# AppHost on the simulators, creates a key with log_bodies (so that the span carries the messages), sends one chat
# completion and one streamed one through the edge, photographs the dashboard with headless Chromium, then deletes the
# key and stops the AppHost. Installs chromium (Debian) when missing and playwright-core 1.65.1 (npm) in a temporary folder.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/docs/images}"
work="$(mktemp -d)"
apphost_pid=""
cleanup() {
  if [ -n "${secret_id:-}" ]; then
    curl -s -X DELETE "http://localhost:8080/admin/keys/$secret_id" -H "$ADMIN" >/dev/null || true
  fi
  if [ -n "$apphost_pid" ]; then
    pkill -TERM -P "$apphost_pid" 2>/dev/null || true
    kill -TERM "$apphost_pid" 2>/dev/null || true
    wait "$apphost_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
chromium_path="$(command -v chromium)"
(cd "$work" && npm init -y >/dev/null && npm install --silent playwright-core@1.65.1 >/dev/null)

dotnet run --project "$root/LlmHost.AppHost" >"$work/apphost.log" 2>&1 &
apphost_pid=$!
for i in $(seq 1 120); do
  grep -q "Distributed application started" "$work/apphost.log" && break
  [ "$i" -lt 120 ] || { echo "the AppHost did not start in 120 s:"; tail -20 "$work/apphost.log"; exit 1; }
  sleep 1
done
login="$(grep -o 'http://localhost:[0-9]*/login?t=[a-f0-9]*' "$work/apphost.log" | head -1)"
[ -n "$login" ] || { echo "the AppHost printed no login URL:"; tail -20 "$work/apphost.log"; exit 1; }
for i in $(seq 1 60); do
  curl -sf http://localhost:8080/v1/models -H 'Authorization: Bearer sk-llmhost-dev-LocalDevelopmentOnlyReplaceBeforeDeploying' \
    | grep -q qwen && break
  [ "$i" -lt 60 ] || { echo "the gateway listed no model in 60 s"; exit 1; }
  sleep 1
done

ADMIN='Authorization: Bearer sk-llmhost-devadmin-LocalDevelopmentOnlyReplaceBeforeDeploying'
# A key left by an interrupted run is deleted first (cleanup deletes this one whatever happens next).
secret_id=debugging
curl -s -X DELETE "http://localhost:8080/admin/keys/$secret_id" -H "$ADMIN" >/dev/null || true
secret="$(curl -sf http://localhost:8080/admin/keys -H "$ADMIN" -H 'Content-Type: application/json' \
  -d '{"id":"debugging","name":"Debugging (bodies on spans and in the access log)","log_bodies":true}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')"
curl -sf http://localhost:8080/v1/chat/completions -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' \
  -d '{"model":"qwen2.5-7b-instruct","messages":[{"role":"system","content":"You are a concise assistant."},{"role":"user","content":"What is the capital of France?"}],"max_tokens":24}' >/dev/null
curl -sfN http://localhost:8080/v1/chat/completions -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' \
  -d '{"model":"llama-3.1-8b-instruct","stream":true,"messages":[{"role":"user","content":"Write a haiku about GPUs."}],"max_tokens":20}' >/dev/null
sleep 3 # the gateway exports its spans in batches

mkdir -p "$out"
CHROMIUM="$chromium_path" NODE_PATH="$work/node_modules" node "$root/scripts/dashboard-screenshots/shoot.js" "$login" "$out"
echo "Saved: $(ls "$out"/dashboard-*.png | tr '\n' ' ')"
