using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Keys;
using Microsoft.Extensions.Options;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>Applies a key's limits (its overrides over <c>limits.defaults</c>) through the configured store.</summary>
public sealed class LimitEnforcer(IOptionsMonitor<LlmHostConfig> config, ILimitStore store)
{
    public ILimitStore Store => store;

    public LimitPolicy PolicyFor(ApiKey key) => LimitPolicy.For(key.Limits, config.CurrentValue.Limits.Defaults);

    /// <summary>Step one of admission (concurrency and QPS), before the body is read.</summary>
    public ValueTask<Admission> EnterAsync(ApiKey key, in LimitPolicy policy)
    {
        var global = config.CurrentValue.Limits.Global.Concurrency;
        // Nothing to count: no trip to the store (in Redis mode, two round trips saved).
        if (policy.IsUnlimited && global <= 0)
        {
            return ValueTask.FromResult(new Admission(new UnlimitedTicket(), default, default));
        }
        return store.EnterAsync(new LimitRequest(key.Id, policy, global));
    }

    private sealed class UnlimitedTicket : LimitTicket
    {
        protected override ValueTask<TokenDecision> TryReserveAsync(long tokens) => ValueTask.FromResult(new TokenDecision(true, false, default, default));

        protected override void Release(long usedTokens)
        {
        }
    }
}
