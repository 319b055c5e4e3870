using System.Globalization;
using StackExchange.Redis;

namespace LlmHost.Gateway.FlowControl;

/// <summary>
/// Keeps every model's <see cref="SharedTurns"/> in step with Redis, every <see cref="Interval"/> while the model has
/// requests waiting here or turns to report: one script a model sends the turns served here, marks the keys waiting
/// here (for <see cref="WaitingFor"/>, renewed each sync) and reads back the counts. A key that starts waiting is
/// raised to the least count of those already waiting, so that idle time banks no turns. Off the request path: a
/// Redis that fails or does not answer leaves the replica with its own turns (logged once per outage).
/// </summary>
public sealed class SharedTurnsSync(FlowController flow, ILogger<SharedTurnsSync> logger, IConnectionMultiplexer? redis = null) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a key counts as waiting after the last sync that saw it wait.</summary>
    public static readonly TimeSpan WaitingFor = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(10);
    private bool _failing;

    /// <summary>
    /// KEYS: the model's counts (hash key id → turns) and waiting keys (sorted set key id → until, ms). ARGV: waiting
    /// ttl ms, expiry s, then per key: id, turns served here, 1 if it waits here. Returns the least-served waiting key,
    /// its count, the next-least count, then the count of each key asked about.
    /// </summary>
    internal const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
        local function least()
          local key, first, second = false, nil, nil
          for _, k in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
            local s = tonumber(redis.call('HGET', KEYS[1], k)) or 0
            if first == nil or s < first then key, first, second = k, s, first
            elseif second == nil or s < second then second = s end
          end
          return key, first, second
        end
        local _, floor = least()
        for i = 3, #ARGV, 3 do
          local k, taken = ARGV[i], tonumber(ARGV[i + 1])
          if taken > 0 then redis.call('HINCRBYFLOAT', KEYS[1], k, taken) end
          if ARGV[i + 2] == '1' then
            if floor and not redis.call('ZSCORE', KEYS[2], k) then
              local s = tonumber(redis.call('HGET', KEYS[1], k)) or 0
              if s < floor then redis.call('HSET', KEYS[1], k, tostring(floor)) end
            end
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), k)
          end
        end
        local key, first, second = least()
        local out = { key or '', first and tostring(first) or '', second and tostring(second) or '' }
        for i = 3, #ARGV, 3 do out[#out + 1] = tostring(tonumber(redis.call('HGET', KEYS[1], ARGV[i])) or 0) end
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        return out
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (redis is null)
        {
            return;
        }
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var (model, queue) in flow.Queues)
                {
                    foreach (var (priority, shared, waiting) in queue.Classes())
                    {
                        if (shared is not null)
                        {
                            await SyncAsync(redis.GetDatabase(), $"{model}:{priority.Label()}", waiting, shared);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One model's sync, for one priority class (<c>model:class</c>); false when Redis failed (the turns are sent again with the next).</summary>
    internal async Task<bool> SyncAsync(IDatabase database, string modelClass, string[] waiting, SharedTurns shared)
    {
        var taken = shared.BeginSync();
        if (waiting.Length == 0 && taken.Count == 0)
        {
            return true;
        }
        var keys = new List<string>(waiting);
        foreach (var key in taken.Keys)
        {
            if (Array.IndexOf(waiting, key) < 0)
            {
                keys.Add(key);
            }
        }
        var args = new RedisValue[2 + 3 * keys.Count];
        (args[0], args[1]) = ((long)WaitingFor.TotalMilliseconds, (long)KeptFor.TotalSeconds);
        for (var i = 0; i < keys.Count; i++)
        {
            args[2 + 3 * i] = keys[i];
            args[3 + 3 * i] = taken.GetValueOrDefault(keys[i]).ToString("R", CultureInfo.InvariantCulture);
            args[4 + 3 * i] = i < waiting.Length ? "1" : "0";
        }
        try
        {
            var result = await database.ScriptEvaluateAsync(Script, [RedisKeyOf(modelClass, "turns"), RedisKeyOf(modelClass, "waiting")], args)
                .WaitAsync(CallTimeout);
            var values = (string[])result!;
            var served = new Dictionary<string, double>(keys.Count, StringComparer.Ordinal);
            for (var i = 0; i < keys.Count; i++)
            {
                served[keys[i]] = Number(values[3 + i]);
            }
            shared.Synced(new SharedTurnCounts(values[0] is { Length: > 0 } least ? least : null,
                Number(values[1]), Number(values[2]), served));
            if (_failing)
            {
                _failing = false;
                FlowControlLog.SharedTurnsResumed(logger);
            }
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            if (!_failing)
            {
                _failing = true;
                FlowControlLog.SharedTurnsUnavailable(logger, ex.Message);
            }
            return false;
        }
    }

    internal static string RedisKeyOf(string modelClass, string what) => $"llmhost:flow:{{{modelClass}}}:{what}";

    private static double Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.PositiveInfinity;
}
