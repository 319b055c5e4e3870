using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>
/// Limit state shared by all gateway replicas in Redis (<c>limits.store: redis</c>): one atomic script admits a
/// request against every limit at once; concurrency leases are sorted-set members with an expiry that this
/// replica renews while the request runs, so a replica that dies leaks nothing beyond the lease TTL.
/// If Redis cannot be reached, this replica fails open to its own <see cref="MemoryLimitStore"/> (logged once per
/// outage) and shares again as soon as Redis answers.
/// </summary>
public sealed class RedisLimitStore : ILimitStore
{
    private const string GlobalLeases = "llmhost:global:leases";
    private readonly IConnectionMultiplexer _redis;
    private readonly MemoryLimitStore _fallback;
    private readonly TimeSpan _leaseTtl;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<RedisTicket, byte> _held = new();
    private int _degraded;

    public RedisLimitStore(IConnectionMultiplexer redis, MemoryLimitStore fallback, TimeSpan leaseTtl, ILogger logger)
    {
        _redis = redis;
        _fallback = fallback;
        _leaseTtl = leaseTtl;
        _logger = logger;
    }

    /// <summary>True while Redis answers and limits are shared; false while this replica limits on its own.</summary>
    public bool IsShared => Volatile.Read(ref _degraded) == 0;

    /// <summary>Leases this replica holds in Redis now.</summary>
    public int HeldLeases => _held.Count;

    public static ConfigurationOptions Options(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        // While Redis is away, commands fail at once (and the replica limits locally) instead of queueing.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = options.AsyncTimeout = 1000;
        options.ConnectRetry = 1;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        return options;
    }

    public async ValueTask<Admission> EnterAsync(LimitRequest request)
    {
        if (!_redis.IsConnected)
        {
            MarkDegraded("not connected");
            return _fallback.Enter(request);
        }
        var policy = request.Policy;
        var leaseId = Guid.NewGuid().ToString("N");
        var keyLeases = KeyName(request.KeyId, "leases");
        RedisResult result;
        try
        {
            result = await _redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.Enter,
                [GlobalLeases, keyLeases, KeyName(request.KeyId, "requests")],
                [leaseId, (long)_leaseTtl.TotalMilliseconds, request.GlobalConcurrency, policy.Concurrency, policy.Qps, policy.Burst]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkDegraded(ex.Message);
            return _fallback.Enter(request);
        }
        MarkShared();

        var values = (long[])result!;
        var kind = (LimitKind)values[0];
        // Tokens are reported after the reservation; until then the whole budget is shown.
        var state = new LimitState(
            policy.Burst, Math.Max(0, values[3]), Reset(policy.Burst - values[3], policy.Qps),
            policy.Tpm, policy.Tpm, TimeSpan.Zero,
            policy.Concurrency, Math.Max(0, policy.Concurrency - (int)values[2]));
        if (kind != LimitKind.None)
        {
            var retryAfter = TimeSpan.FromMilliseconds(values[1]);
            var rejection = kind switch
            {
                LimitKind.GlobalConcurrency => new LimitRejection(kind, request.GlobalConcurrency, values[4], 1, retryAfter),
                LimitKind.Concurrency => new LimitRejection(kind, policy.Concurrency, values[2], 1, retryAfter),
                _ => new LimitRejection(kind, policy.Burst, policy.Burst - Math.Max(0, values[3]), 1, retryAfter),
            };
            return new Admission(null, rejection, state);
        }
        var ticket = new RedisTicket(this, keyLeases, leaseId, request.KeyId, policy, state);
        _held[ticket] = 0;
        return new Admission(ticket, default, state);
    }

    /// <summary>Pushes back the expiry of every lease this replica holds; called every third of the lease TTL.</summary>
    public async Task RenewAsync()
    {
        if (_held.IsEmpty || !_redis.IsConnected)
        {
            return;
        }
        var keys = new List<RedisKey>();
        var values = new List<RedisValue> { (long)_leaseTtl.TotalMilliseconds };
        foreach (var ticket in _held.Keys)
        {
            keys.Add(GlobalLeases);
            values.Add(ticket.LeaseId);
            keys.Add(ticket.KeyLeases);
            values.Add(ticket.LeaseId);
        }
        try
        {
            await _redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.Renew, [.. keys], [.. values]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkDegraded(ex.Message);
        }
    }

    // Releases the leases; settles the reservation in Redis when it was taken there (reserved 0 and used 0 otherwise).
    private async Task ReleaseAsync(RedisTicket ticket, long reservedTokens, long usedTokens)
    {
        _held.TryRemove(ticket, out _);
        try
        {
            await _redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.Release,
                [GlobalLeases, ticket.KeyLeases, KeyName(ticket.KeyId, "tokens")],
                [ticket.LeaseId, ticket.Policy.Tpm, reservedTokens, usedTokens]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LimitsLog.RedisReleaseFailed(_logger, ex);
        }
    }

    /// <summary>Step two: the key's token bucket in Redis; null while Redis is away.</summary>
    private async ValueTask<(LimitKind Kind, TimeSpan RetryAfter, long Left)?> ReserveAsync(string keyId, long tpm, long tokens)
    {
        try
        {
            var values = (long[])(await _redis.GetDatabase().ScriptEvaluateAsync(RedisScripts.Reserve, [KeyName(keyId, "tokens")], [tpm, tokens]))!;
            MarkShared();
            return ((LimitKind)values[0], TimeSpan.FromMilliseconds(values[1]), values[2]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkDegraded(ex.Message);
            return null;
        }
    }

    private void MarkDegraded(string reason)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            LimitsLog.RedisLimitsUnavailable(_logger, reason);
        }
    }

    private void MarkShared()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            LimitsLog.RedisLimitsResumed(_logger);
        }
    }

    // The hash tag keeps one key's state in one slot.
    private static string KeyName(string keyId, string part) => string.Create(CultureInfo.InvariantCulture, $"llmhost:{{{keyId}}}:{part}");

    private static TimeSpan Reset(double missing, double perSecond) =>
        missing <= 0 || perSecond <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(missing / perSecond);

    private sealed class RedisTicket(RedisLimitStore owner, string keyLeases, string leaseId, string keyId, LimitPolicy policy, LimitState entered) : LimitTicket
    {
        // The replica's own bucket, when Redis was away at the reservation: the request is settled there.
        private TokenDebtBucket? _local;

        public string KeyLeases { get; } = keyLeases;
        public string LeaseId { get; } = leaseId;
        public string KeyId { get; } = keyId;
        public LimitPolicy Policy { get; } = policy;

        protected override async ValueTask<TokenDecision> TryReserveAsync(long tokens)
        {
            var tpm = Policy.Tpm;
            if (tpm <= 0)
            {
                return new TokenDecision(true, false, default, entered);
            }
            if (await owner.ReserveAsync(KeyId, tpm, tokens) is not { } reserved)
            {
                return ReserveLocally(tokens);
            }
            var state = entered with { TokensRemaining = Math.Max(0, reserved.Left), TokensReset = Reset(tpm - reserved.Left, tpm / 60.0) };
            return reserved.Kind == LimitKind.None
                ? new TokenDecision(true, true, default, state)
                : new TokenDecision(false, false, new LimitRejection(reserved.Kind, tpm, tpm - reserved.Left, tokens, reserved.RetryAfter), state);
        }

        // Redis went away between the two steps: the key's tokens are limited by this replica alone, as its
        // requests are, rather than not at all.
        private TokenDecision ReserveLocally(long tokens)
        {
            var bucket = owner._fallback.TokensFor(KeyId, Policy)!;
            var now = Stopwatch.GetTimestamp();
            var admitted = bucket.TryAdmit(tokens, now, out var rejection);
            _local = admitted ? bucket : null;
            var (remaining, reset) = bucket.Peek(now);
            return new TokenDecision(admitted, admitted, rejection, entered with { TokensRemaining = remaining, TokensReset = reset });
        }

        // Not awaited: the client's response must not wait for Redis; a failed release expires with the lease TTL.
        protected override void Release(long usedTokens)
        {
            if (_local is { } bucket)
            {
                bucket.Settle(ReservedTokens, usedTokens, Stopwatch.GetTimestamp());
                _ = owner.ReleaseAsync(this, 0, 0);
                return;
            }
            _ = owner.ReleaseAsync(this, HasReservation ? ReservedTokens : 0, usedTokens);
        }
    }
}
