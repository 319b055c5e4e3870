using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Tests.Unit.Gateway.RateLimiting;

[Trait("Category", "Unit")]
public class MemoryLimitStoreTests
{
    private static LimitRequest Request(LimitPolicy policy, long tokens, int global = 0, string key = "k") => new(key, policy, global);

    // Both steps, as the proxy takes them: enter, then reserve; a refused reservation gives the leases back.
    private static Admission Admit(MemoryLimitStore store, LimitRequest request, long tokens)
    {
        var entry = store.Enter(request);
        if (entry.Ticket is not { } ticket)
        {
            return entry;
        }
        var reserved = ticket.ReserveTokensAsync(tokens).AsTask().GetAwaiter().GetResult();
        if (!reserved.IsAdmitted)
        {
            ticket.Complete(0);
        }
        return reserved;
    }

    [Fact]
    public void Reserve_RefusedByTokens_HasSpentItsRequestAndGivesItsLeaseBack()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(Qps: 0.001, Burst: 3, Concurrency: 2, Tpm: 100);
        Assert.True(Admit(store, Request(policy, 60), 60).IsAdmitted);
        var refused = Admit(store, Request(policy, 60), 60);
        Assert.Equal(LimitKind.Tokens, refused.Rejection.Kind);
        // A refusal costs a request like any other: the cheap limits come before the prompt is counted.
        Assert.Equal(1, refused.State.RequestsRemaining);
        Assert.Equal(40, refused.State.TokensRemaining);
        Assert.Equal(1, store.Find("k")!.ActiveLeases);
        Assert.Equal(1, store.Find("k")!.Tokens!.OpenReservations);
    }

    [Fact]
    public void Enter_RefusedByRequests_ReservesNoTokens()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(Qps: 0.001, Burst: 1, Concurrency: 0, Tpm: 1000);
        Assert.True(Admit(store, Request(policy, 100), 100).IsAdmitted);
        var refused = store.Enter(Request(policy, 100));
        Assert.Equal(LimitKind.Requests, refused.Rejection.Kind);
        Assert.True(refused.Rejection.RetryAfter > TimeSpan.FromSeconds(100));
        Assert.Equal(900, refused.State.TokensRemaining);
        Assert.Equal(1, store.Find("k")!.Tokens!.OpenReservations);
    }

    [Fact]
    public void Enter_BeforeTheBodyIsRead_HoldsTheLeaseUntilComplete()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(Qps: 0, Burst: 0, Concurrency: 1, Tpm: 1000);
        var entered = store.Enter(Request(policy, 0));
        Assert.Equal(LimitKind.Concurrency, store.Enter(Request(policy, 0)).Rejection.Kind);
        Assert.Equal(0, store.Find("k")!.Tokens!.OpenReservations);
        entered.Ticket!.Complete(0);
        Assert.Equal(0, store.Find("k")!.ActiveLeases);
        Assert.Equal(1000, store.Snapshot().Keys.Single().State.TokensRemaining);
    }

    [Fact]
    public void Admit_RefusedByConcurrency_TakesNothingElse()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(Qps: 0.001, Burst: 5, Concurrency: 1, Tpm: 1000);
        var first = Admit(store, Request(policy, 100), 100);
        var refused = Admit(store, Request(policy, 100), 100);
        Assert.Equal(LimitKind.Concurrency, refused.Rejection.Kind);
        Assert.Equal(4, refused.State.RequestsRemaining);
        Assert.Equal(900, refused.State.TokensRemaining);
        first.Ticket!.Complete(100);
        Assert.True(Admit(store, Request(policy, 100), 100).IsAdmitted);
    }

    [Fact]
    public void Admit_OverTheWholeBudget_IsRefusedAsTooLarge()
    {
        var store = new MemoryLimitStore();
        var refused = Admit(store, Request(new LimitPolicy(0, 0, 0, Tpm: 1000), 1001), 1001);
        Assert.Equal(LimitKind.TokensTooLarge, refused.Rejection.Kind);
        Assert.Equal(1001, refused.Rejection.Requested);
        Assert.Equal(0, store.Find("k")!.Tokens!.OpenReservations);
    }

    [Fact]
    public void Admit_GlobalLimitReached_RefusesOtherKeysToo()
    {
        var store = new MemoryLimitStore();
        var unlimited = new LimitPolicy(0, 0, 0, 0);
        var held = Admit(store, Request(unlimited, 0, global: 1, key: "a"), 0);
        var refused = Admit(store, Request(unlimited, 0, global: 1, key: "b"), 0);
        Assert.Equal(LimitKind.GlobalConcurrency, refused.Rejection.Kind);
        held.Ticket!.Complete(0);
        Assert.True(Admit(store, Request(unlimited, 0, global: 1, key: "b"), 0).IsAdmitted);
    }

    [Fact]
    public void Complete_CalledTwice_ReleasesOnce()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(0, 0, Concurrency: 2, Tpm: 1000);
        var a = Admit(store, Request(policy, 100), 100);
        var b = Admit(store, Request(policy, 100), 100);
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
        Admit(store, Request(policy, 0, key: "idle"), 0).Ticket!.Complete(0);
        var busy = Admit(store, Request(policy, 0, key: "busy"), 0);
        Admit(store, Request(policy, 0, key: "kept"), 0).Ticket!.Complete(0);

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
        Assert.True(Admit(store, Request(new LimitPolicy(0, 0, Concurrency: 1, 0), 0), 0).IsAdmitted);
        Assert.False(Admit(store, Request(new LimitPolicy(0, 0, Concurrency: 1, 0), 0), 0).IsAdmitted);
        Assert.True(Admit(store, Request(new LimitPolicy(0, 0, Concurrency: 2, 0), 0), 0).IsAdmitted);
    }

    [Fact]
    public async Task ReserveTokens_Negative_ReservesNothingAndRefundsNothing()
    {
        var store = new MemoryLimitStore();
        var policy = new LimitPolicy(Qps: 0, Burst: 0, Concurrency: 0, Tpm: 100);
        var ticket = store.Enter(Request(policy, 0)).Ticket!;

        var admission = await ticket.ReserveTokensAsync(-1_000_000);
        ticket.Complete(0);

        Assert.True(admission.IsAdmitted);
        Assert.Equal(0, ticket.ReservedTokens);
        Assert.Equal(100, store.Find("k")!.State(System.Diagnostics.Stopwatch.GetTimestamp()).TokensRemaining);
        // Had the negative reservation counted, a request of 150 would now pass a 100-token budget.
        Assert.Equal(LimitKind.TokensTooLarge, Admit(store, Request(policy, 150), 150).Rejection.Kind);
    }
}
