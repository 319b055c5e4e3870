-- wrk script: POST a small non-streaming chat completion (16 tokens answered).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"bench-model","messages":[{"role":"user","content":"Say something short."}],"max_tokens":16,"ignore_eos":true}'
