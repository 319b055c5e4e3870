using System.Globalization;
using StackExchange.Redis;

namespace LlmHost.Gateway.FlowControl;

/// <summary>
/// Keeps every model's <see cref="SharedTurns"/> (one per priority class) in step with Redis every <see cref="Interval"/>,
/// off the request path, one script per model and class, all of a round at once. A script sends this replica's
/// totals of turns (idempotent: a total sent twice counts once), marks the keys waiting here for
/// <see cref="WaitingFor"/>, and reads back the least-served waiting key and the counts asked about. A key that starts
/// waiting is brought within <see cref="SharedTurns.Lead"/> turns above the least-served waiting key (or the last such
/// count): time spent idle banks neither credit nor debt. A Redis that fails or does not answer leaves every replica
/// taking turns on its own within <see cref="SharedTurns.FreshFor"/> (logged once per outage); the turns served
/// meanwhile are charged when it answers again, unless it lost its data.
/// </summary>
public sealed class SharedTurnsSync(FlowController flow, ILogger<SharedTurnsSync> logger, IConnectionMultiplexer? redis = null) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a key counts as waiting after the last sync of a replica that saw it wait: longer than a slow script
    /// and two rounds, so that one late round does not forget who waits.
    /// </summary>
    public TimeSpan WaitingFor { get; init; } = CallTimeout + 3 * Interval;

    /// <summary>A waiting key whose count has not moved for this long (its replica cannot serve it) holds nobody back.</summary>
    public TimeSpan StalledAfter { get; init; } = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan KeptFor = TimeSpan.FromMinutes(10);
    private readonly string _replica = Guid.NewGuid().ToString("N");
    private bool _failing;

    /// <summary>
    /// KEYS: counts (hash key → turns; field "\0floor": the last least count), waiting keys with their counts (sorted
    /// set), waiting marks (sorted set key → until, ms), this replica's totals (hash key → total; field "\0": present
    /// since it first synced), when each count last moved (hash key → ms). ARGV: waiting ttl ms, expiry s, stalled
    /// after ms, lead, then per key: id, this replica's total, 1 if it waits here. Returns the least-served waiting key
    /// that is not stalled (or ""), its count (or ""), then each asked key's count (or "").
    /// </summary>
    internal const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local counts, active, marks, mine, moved = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
        local ttl, keep, stall, lead = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
        for _, k in ipairs(redis.call('ZRANGEBYSCORE', marks, '-inf', now)) do redis.call('ZREM', active, k) end
        redis.call('ZREMRANGEBYSCORE', marks, '-inf', now)
        local function least()
          local ranked = redis.call('ZRANGE', active, 0, 63, 'WITHSCORES')
          for i = 1, #ranked, 2 do
            local at = tonumber(redis.call('HGET', moved, ranked[i])) or 0
            if at >= now - stall then return ranked[i], tonumber(ranked[i + 1]) end
          end
          return nil, nil
        end
        local first = redis.call('HSETNX', mine, '\0', '1') == 1
        local _, floor = least()
        floor = floor or tonumber(redis.call('HGET', counts, '\0floor'))
        for i = 5, #ARGV, 3 do
          local k, total = ARGV[i], tonumber(ARGV[i + 1])
          local prev = tonumber(redis.call('HGET', mine, k))
          if prev == nil and not first then prev = 0 end
          if prev ~= nil and total > prev then
            local d = total - prev
            redis.call('HINCRBYFLOAT', counts, k, d)
            if redis.call('ZSCORE', active, k) then redis.call('ZINCRBY', active, d, k) end
            redis.call('HSET', moved, k, now)
          end
          if prev == nil or total > prev then redis.call('HSET', mine, k, total) end
          if ARGV[i + 2] == '1' then
            if not redis.call('ZSCORE', marks, k) then
              local s = tonumber(redis.call('HGET', counts, k)) or floor or 0
              if floor then s = math.max(floor, math.min(s, floor + lead)) end
              redis.call('HSET', counts, k, s)
              redis.call('ZADD', active, s, k)
              redis.call('HSET', moved, k, now)
            end
            redis.call('ZADD', marks, now + ttl, k)
          end
        end
        local key, count = least()
        if count then redis.call('HSET', counts, '\0floor', count) end
        local out = { key or '', count and tostring(count) or '' }
        for i = 5, #ARGV, 3 do
          local c = redis.call('HGET', counts, ARGV[i])
          out[#out + 1] = c or ''
        end
        for _, name in ipairs(KEYS) do redis.call('EXPIRE', name, keep) end
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
                await SyncRoundAsync(redis.GetDatabase());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One round: every model's classes that have something to send or read, all at once.</summary>
    internal async Task SyncRoundAsync(IDatabase database)
    {
        var round = new List<Task<bool>>();
        foreach (var (model, queue) in flow.Queues)
        {
            // A class syncs when it has something to send or read; every class above one that syncs is read too, so
            // that this replica learns when a higher class waits elsewhere (and holds its own back).
            var classes = queue.Classes();
            var asks = new SharedTurnsAsk?[classes.Length];
            var lowestSyncing = -1;
            for (var c = 0; c < classes.Length; c++)
            {
                asks[c] = classes[c].Shared?.Ask(classes[c].Waiting);
                lowestSyncing = asks[c] is null ? lowestSyncing : c;
            }
            for (var c = 0; c <= lowestSyncing; c++)
            {
                if (classes[c].Shared is { } shared)
                {
                    round.Add(SyncAsync(database, $"{model}:{classes[c].Priority.Label()}", asks[c] ?? new SharedTurnsAsk([]), shared));
                }
            }
        }
        if (round.Count == 0)
        {
            return;
        }
        var succeeded = true;
        foreach (var sync in round)
        {
            succeeded &= await sync;
        }
        Report(succeeded);
    }

    /// <summary>One model's class's sync; false when Redis failed (the totals are sent again with the next).</summary>
    internal async Task<bool> SyncAsync(IDatabase database, string modelClass, SharedTurnsAsk ask, SharedTurns shared)
    {
        var keys = ask.Keys;
        var args = new RedisValue[4 + 3 * keys.Count];
        args[0] = (long)WaitingFor.TotalMilliseconds;
        args[1] = (long)KeptFor.TotalSeconds;
        args[2] = (long)StalledAfter.TotalMilliseconds;
        args[3] = SharedTurns.Lead;
        for (var i = 0; i < keys.Count; i++)
        {
            args[4 + 3 * i] = keys[i].Key;
            args[5 + 3 * i] = keys[i].Total.ToString("R", CultureInfo.InvariantCulture);
            args[6 + 3 * i] = keys[i].Waiting ? "1" : "0";
        }
        RedisKey[] names = [RedisKeyOf(modelClass, "counts"), RedisKeyOf(modelClass, "waiting"), RedisKeyOf(modelClass, "marks"),
            RedisKeyOf(modelClass, "replica:" + _replica), RedisKeyOf(modelClass, "moved")];
        try
        {
            var values = (string?[])(await database.ScriptEvaluateAsync(Script, names, args).WaitAsync(CallTimeout))!;
            var served = new Dictionary<string, double>(keys.Count, StringComparer.Ordinal);
            for (var i = 0; i < keys.Count && 2 + i < values.Length; i++)
            {
                if (Number(values[2 + i]) is { } count)
                {
                    served[keys[i].Key] = count;
                }
            }
            shared.Synced(ask, new SharedTurnCounts(values[0] is { Length: > 0 } least ? least : null, Number(values[1]) ?? 0, served));
            return true;
        }
        catch (Exception ex)
        {
            // A timed-out script may still run: its totals count once however often they are sent.
            FailedOnce(ex);
            return false;
        }
    }

    internal static string RedisKeyOf(string modelClass, string what) => $"llmhost:flow:{{{modelClass}}}:{what}";

    private void FailedOnce(Exception ex)
    {
        if (!_failing)
        {
            _failing = true;
            FlowControlLog.SharedTurnsUnavailable(logger, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private void Report(bool succeeded)
    {
        if (succeeded && _failing)
        {
            _failing = false;
            FlowControlLog.SharedTurnsResumed(logger);
        }
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
}
