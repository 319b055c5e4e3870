using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Tests.Gateway.Limits;

public class MemoryLimitStoreTests
{
    private static LimitRequest Request(LimitPolicy policy, long tokens, int global = 0, string key = "k") => new(key, policy, global, tokens);

    [Fact]
    public void Admit_RefusedByTokens_TakesNoRequestFromTheBucket()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(Qps: 0.001, Burst: 3, Concurrency: 0, Tpm: 100);
        Assert.True(store.Admit(Request(policy, 60)).IsAdmitted);
        var refused = store.Admit(Request(policy, 60));
        Assert.Equal(LimitKind.Tokens, refused.Rejection.Kind);
        Assert.Equal(2, refused.State.RequestsRemaining);
        Assert.Equal(40, refused.State.TokensRemaining);
    }

    [Fact]
    public void Admit_RefusedByRequests_RefundsTheTokenReservation()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(Qps: 0.001, Burst: 1, Concurrency: 0, Tpm: 1000);
        Assert.True(store.Admit(Request(policy, 100)).IsAdmitted);
        var refused = store.Admit(Request(policy, 100));
        Assert.Equal(LimitKind.Requests, refused.Rejection.Kind);
        Assert.True(refused.Rejection.RetryAfter > TimeSpan.FromSeconds(100));
        Assert.Equal(900, refused.State.TokensRemaining);
        Assert.Equal(1, store.Find("k")!.Tokens!.OpenReservations);
    }

    [Fact]
    public void Admit_RefusedByConcurrency_TakesNothingElse()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(Qps: 0.001, Burst: 5, Concurrency: 1, Tpm: 1000);
        var first = store.Admit(Request(policy, 100));
        var refused = store.Admit(Request(policy, 100));
        Assert.Equal(LimitKind.Concurrency, refused.Rejection.Kind);
        Assert.Equal(4, refused.State.RequestsRemaining);
        Assert.Equal(900, refused.State.TokensRemaining);
        first.Ticket!.Complete(100);
        Assert.True(store.Admit(Request(policy, 100)).IsAdmitted);
    }

    [Fact]
    public void Admit_OverTheWholeBudget_IsRefusedAsTooLarge()
    {
        var store = new MemoryLimitStore();
        var refused = store.Admit(Request(new LimitPolicy(0, 0, 0, Tpm: 1000), 1001));
        Assert.Equal(LimitKind.TokensTooLarge, refused.Rejection.Kind);
        Assert.Equal(1001, refused.Rejection.Requested);
        Assert.Equal(0, store.Find("k")!.Tokens!.OpenReservations);
    }

    [Fact]
    public void Admit_GlobalLimitReached_RefusesOtherKeysToo()
    {
        var store = new MemoryLimitStore();
        var unlimited = new LimitPolicy(0, 0, 0, 0);
        var held = store.Admit(Request(unlimited, 0, global: 1, key: "a"));
        var refused = store.Admit(Request(unlimited, 0, global: 1, key: "b"));
        Assert.Equal(LimitKind.GlobalConcurrency, refused.Rejection.Kind);
        held.Ticket!.Complete(0);
        Assert.True(store.Admit(Request(unlimited, 0, global: 1, key: "b")).IsAdmitted);
    }

    [Fact]
    public void Complete_CalledTwice_ReleasesOnce()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(0, 0, Concurrency: 2, Tpm: 1000);
        var a = store.Admit(Request(policy, 100));
        var b = store.Admit(Request(policy, 100));
        a.Ticket!.Complete(100);
        a.Ticket.Complete(100);
        Assert.Equal(1, store.Find("k")!.ActiveLeases);
        Assert.Equal(1, store.Find("k")!.Tokens!.OpenReservations);
        Assert.Equal(800, store.Snapshot().Keys.Single().State.TokensRemaining);
        b.Ticket!.Complete(50);
        Assert.Equal(0, store.Find("k")!.ActiveLeases);
    }

    [Fact]
    public void Prune_DeletedKeys_ForgetsIdleOnesKeepsBusyOnes()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(0, 0, Concurrency: 2, 0);
        store.Admit(Request(policy, 0, key: "idle")).Ticket!.Complete(0);
        var busy = store.Admit(Request(policy, 0, key: "busy"));
        store.Admit(Request(policy, 0, key: "kept")).Ticket!.Complete(0);

        Assert.Equal(1, store.Prune(id => id == "kept"));

        Assert.Null(store.Find("idle"));
        Assert.NotNull(store.Find("busy"));
        Assert.NotNull(store.Find("kept"));
        busy.Ticket!.Complete(0);
        Assert.Equal(1, store.Prune(id => id == "kept"));
        Assert.Null(store.Find("busy"));
    }

    [Fact]
    public void Admit_LimitsChanged_AppliesTheNewLimits()
    {
        var store = new MemoryLimitStore();
        Assert.True(store.Admit(Request(new LimitPolicy(0, 0, Concurrency: 1, 0), 0)).IsAdmitted);
        Assert.False(store.Admit(Request(new LimitPolicy(0, 0, Concurrency: 1, 0), 0)).IsAdmitted);
        Assert.True(store.Admit(Request(new LimitPolicy(0, 0, Concurrency: 2, 0), 0)).IsAdmitted);
    }
}
