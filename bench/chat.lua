-- wrk script: POST a small non-streaming chat completion (16 tokens answered).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- The key of the bench key file the scripts give the gateway (the simulator ignores it).
wrk.headers["Authorization"] = "Bearer sk-llmhost-bench-BenchmarkOnlySecret000000000000000000000000"
wrk.body = '{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16,"ignore_eos":true}'
