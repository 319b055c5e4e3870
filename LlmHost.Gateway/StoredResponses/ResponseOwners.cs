using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Utilities;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LlmHost.Gateway.StoredResponses;

/// <summary>
/// Which engine instance and key each Responses API response belongs to, learnt from the answers that created them:
/// in this replica's memory (bounded, expiring), and in Redis as well when the limits are shared there
/// (<c>limits.store: redis</c>), so that a follow-up reaching another replica finds the instance too. When Redis
/// fails, this replica goes on with its own memory (logged once per outage).
/// </summary>
public sealed partial class ResponseOwners(IOptionsMonitor<LlmHostConfig> config, ILogger<ResponseOwners> logger, IConnectionMultiplexer? redis = null)
{
    private const string KeyPrefix = "llmhost:response:";
    private readonly GenerationalMap<string, ResponseOwner> _local = new();
    private int _degraded;

    private StoredResponsesSettings Settings => config.CurrentValue.Routing.StoredResponses;

    /// <summary>Responses this replica remembers.</summary>
    public int Count => _local.Count;

    public async ValueTask RememberAsync(string id, ResponseOwner owner)
    {
        var settings = Settings;
        _local.Set(id, owner, settings.MaxResponses);
        if (redis is null)
        {
            return;
        }
        try
        {
            await redis.GetDatabase().StringSetAsync(KeyPrefix + id, owner.Serialize(), settings.Expiry);
            Shared();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Degraded(ex.Message);
        }
    }

    /// <summary>The owner of <paramref name="id"/>; null when no replica remembers it (or it expired).</summary>
    public async ValueTask<ResponseOwner?> FindAsync(string id)
    {
        var settings = Settings;
        if (_local.TryGet(id, settings.Expiry, out var owner))
        {
            return owner;
        }
        if (redis is null)
        {
            return null;
        }
        try
        {
            var value = await redis.GetDatabase().StringGetSetExpiryAsync(KeyPrefix + id, settings.Expiry);
            Shared();
            if (ResponseOwner.Parse(value) is { } found)
            {
                _local.Set(id, found, settings.MaxResponses);
                return found;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Degraded(ex.Message);
        }
        return null;
    }

    public async ValueTask ForgetAsync(string id)
    {
        _local.Remove(id);
        if (redis is null)
        {
            return;
        }
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(KeyPrefix + id);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Degraded(ex.Message);
        }
    }

    private void Degraded(string reason)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            RedisUnavailable(logger, reason);
        }
    }

    private void Shared() => Volatile.Write(ref _degraded, 0);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable ({Reason}): stored responses are remembered by this replica only until it answers again.")]
    private static partial void RedisUnavailable(ILogger logger, string reason);
}
