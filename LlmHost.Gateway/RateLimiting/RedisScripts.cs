namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// The Lua scripts that keep the shared limit state in Redis. Each runs atomically and reads Redis's own clock, so
/// replicas with different clocks agree. Buckets refill lazily from the elapsed time like the in-process ones.
/// Admission takes two steps: <see cref="Enter"/> before the body is read, <see cref="Reserve"/> once the prompt is
/// estimated. Key layout, per key id K: <c>llmhost:{K}:leases</c> (sorted set, lease id → expiry ms), <c>llmhost:{K}:requests</c>
/// and <c>llmhost:{K}:tokens</c> (hashes v = balance, t = last update ms); <c>llmhost:global:leases</c>.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Step one of admission. KEYS: global leases, key leases, requests bucket. ARGV: lease id, lease ttl ms, global
    /// limit, concurrency limit, qps, burst. Returns {kind, retry ms, concurrency used, requests left, global used};
    /// kind is 0 (admitted) or the <see cref="LimitKind"/> that refused.
    /// </summary>
    public const string Enter = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local id, ttl = ARGV[1], tonumber(ARGV[2])
        local glimit, climit = tonumber(ARGV[3]), tonumber(ARGV[4])
        local qps, burst = tonumber(ARGV[5]), tonumber(ARGV[6])

        local function held(key, limit)
          if limit <= 0 then return 0 end
          redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
          return redis.call('ZCARD', key)
        end

        local gused, cused = held(KEYS[1], glimit), held(KEYS[2], climit)
        local rbal = 0
        if qps > 0 then
          local v = redis.call('HMGET', KEYS[3], 'v', 't')
          rbal = tonumber(v[1]) or burst
          local at = tonumber(v[2]) or now
          if now > at then rbal = math.min(burst, rbal + (now - at) * qps / 1000) end
        end

        local kind, retry = 0, 0
        if glimit > 0 and gused >= glimit then kind, retry = 1, 1000
        elseif climit > 0 and cused >= climit then kind, retry = 2, 1000
        elseif qps > 0 and rbal < 1 then kind, retry = 3, math.ceil((1 - rbal) / (qps / 1000))
        end

        if kind == 0 then
          if glimit > 0 then
            redis.call('ZADD', KEYS[1], now + ttl, id)
            redis.call('PEXPIRE', KEYS[1], ttl * 2)
            gused = gused + 1
          end
          if climit > 0 then
            redis.call('ZADD', KEYS[2], now + ttl, id)
            redis.call('PEXPIRE', KEYS[2], ttl * 2)
            cused = cused + 1
          end
          if qps > 0 then rbal = rbal - 1 end
        end
        if qps > 0 then
          redis.call('HSET', KEYS[3], 'v', tostring(rbal), 't', now)
          redis.call('PEXPIRE', KEYS[3], math.ceil((burst - rbal) / (qps / 1000)) + 1000)
        end
        return {kind, retry, cused, math.floor(rbal), gused}
        """;

    /// <summary>
    /// Step two of admission. KEYS: tokens bucket. ARGV: tpm, tokens to reserve. Returns {kind, retry ms, tokens
    /// left}; kind is 0 (reserved), 4 (not enough left now) or 5 (more than the whole budget).
    /// </summary>
    public const string Reserve = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local tpm, want = tonumber(ARGV[1]), tonumber(ARGV[2])
        local v = redis.call('HMGET', KEYS[1], 'v', 't')
        local b = tonumber(v[1]) or tpm
        local at = tonumber(v[2]) or now
        if now > at then b = math.min(tpm, b + (now - at) * tpm / 60000) end

        local kind, retry = 0, 0
        if want > tpm then kind = 5
        elseif b < want then kind, retry = 4, math.ceil((want - b) / (tpm / 60000))
        else b = b - want
        end
        redis.call('HSET', KEYS[1], 'v', tostring(b), 't', now)
        redis.call('PEXPIRE', KEYS[1], math.ceil((tpm - b) / (tpm / 60000)) + 60000)
        return {kind, retry, math.floor(b)}
        """;

    /// <summary>
    /// KEYS: global leases, key leases, tokens bucket. ARGV: lease id, tpm, reserved, used. Removes the lease and
    /// settles the tokens (a refund of what was reserved and not used, or debt below zero); with a token limit, tokens
    /// used without a reservation (Redis was away when it was asked) are charged too.
    /// </summary>
    public const string Release = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        local tpm = tonumber(ARGV[2])
        if tpm > 0 then
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          local v = redis.call('HMGET', KEYS[3], 'v', 't')
          local b = tonumber(v[1]) or tpm
          local at = tonumber(v[2]) or now
          if now > at then b = math.min(tpm, b + (now - at) * tpm / 60000) end
          b = math.min(tpm, b + tonumber(ARGV[3]) - tonumber(ARGV[4]))
          redis.call('HSET', KEYS[3], 'v', tostring(b), 't', now)
          redis.call('PEXPIRE', KEYS[3], math.ceil((tpm - b) / (tpm / 60000)) + 60000)
        end
        return 1
        """;

    /// <summary>KEYS: lease sets; ARGV: ttl ms, then one lease id per key. Pushes the expiry of leases still held.</summary>
    public const string Renew = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local ttl = tonumber(ARGV[1])
        for i = 1, #KEYS do
          redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[i + 1])
          redis.call('PEXPIRE', KEYS[i], ttl * 2)
        end
        return #KEYS
        """;
}
