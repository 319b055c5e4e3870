using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.RateLimiting;

/// <summary>Applies a key's limits (its overrides over <c>limits.defaults</c>) through the configured store.</summary>
public sealed class LimitEnforcer(GatewayConfigProvider config, ILimitStore store)
{
    public ILimitStore Store => store;

    public LimitPolicy PolicyFor(ApiKey key) => LimitPolicy.For(key.Limits, config.Current.Settings.Limits.Defaults);

    public ValueTask<Admission> AdmitAsync(ApiKey key, in LimitPolicy policy, long tokens)
    {
        var global = config.Current.Settings.Limits.Global.Concurrency;
        // Nothing to count: no trip to the store (in Redis mode, two round trips saved).
        if (policy.IsUnlimited && global <= 0)
        {
            return ValueTask.FromResult(new Admission(new UnlimitedTicket(), default, default));
        }
        return store.AdmitAsync(new LimitRequest(key.Id, policy, global, tokens));
    }

    private sealed class UnlimitedTicket() : LimitTicket(0)
    {
        protected override void Release(long usedTokens)
        {
        }
    }
}
