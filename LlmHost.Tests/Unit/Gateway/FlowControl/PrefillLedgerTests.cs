using LlmHost.Backends.Configuration;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.Routing.Load;
using LlmHost.Tests.Unit.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.FlowControl;

/// <summary>The prompt tokens an instance is prefilling: holds, the learnt rate, the room under a cap.</summary>
[Trait("Category", "Unit")]
public sealed class PrefillLedgerTests
{
    [Fact]
    public void Room_UnderTheCap_AtLeastOneThenByTheMeanPrompt()
    {
        var ledger = new PrefillLedger();
        Assert.Equal(1, ledger.Room(8000)); // nothing known: one at a time

        var hold = ledger.Begin(2000);

        Assert.Equal(2000, ledger.TokensInFlight());
        Assert.Equal(3, ledger.Room(8000)); // 6,000 free, prompts of about 2,000
        hold.End();
        Assert.Equal(0, ledger.TokensInFlight());
    }

    [Fact]
    public void Room_AtOrOverTheCap_None()
    {
        var ledger = new PrefillLedger();
        ledger.Begin(12_000);

        Assert.Equal(0, ledger.Room(8000));
    }

    [Fact]
    public void Begin_RateUnknown_UnstreamedHoldLastsUntilItEnds()
    {
        var ledger = new PrefillLedger();
        var hold = ledger.Begin(5000);

        Assert.Equal(long.MaxValue, hold.Until);
        Assert.Equal(5000, ledger.TokensInFlight());
    }

    [Fact]
    public async Task FirstToken_StreamedRequest_TeachesTheRateFromTheTokensAheadAndItsOwn()
    {
        var ledger = new PrefillLedger();
        var ahead = ledger.Begin(3000);
        var streamed = ledger.Begin(1000);
        Assert.Equal(3000, streamed.Ahead);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(100);
        var atLeast = clock.Elapsed;
        streamed.FirstToken();

        // 4,000 tokens (3,000 ahead and its own) in at least the time measured: a rate of at most 4,000 over it.
        Assert.True(ledger.TokensPerSecond > 4000 && ledger.TokensPerSecond <= 4000 / atLeast.TotalSeconds, $"{ledger.TokensPerSecond}");
        ahead.End(); // ended without a first token: no sample
        var rate = ledger.TokensPerSecond;
        var next = ledger.Begin(2000);
        Assert.NotEqual(long.MaxValue, next.Until);
        Assert.InRange(System.Diagnostics.Stopwatch.GetElapsedTime(next.Since, next.Until).TotalSeconds, 2000 / rate * 0.99, 2000 / rate * 1.01);
    }

    [Fact]
    public async Task TokensInFlight_UnstreamedHoldPastItsEstimatedPrefill_NoLongerCounts_AStreamedOneDoes()
    {
        var ledger = new PrefillLedger();
        var first = ledger.Begin(100_000, streamed: true);
        await Task.Delay(20);
        first.FirstToken(); // a rate of 100,000 tokens over ~20 ms
        var streamed = ledger.Begin(1, streamed: true);
        var hold = ledger.Begin(1);

        Assert.True(System.Diagnostics.Stopwatch.GetTimestamp() > hold.Since);
        Assert.True(SpinWait.SpinUntil(() => ledger.TokensInFlight() == 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(long.MaxValue, streamed.Until); // to its first byte, however long
        hold.End();
        streamed.End();
    }

    [Fact]
    public async Task FirstToken_SamplesFarFromTheRate_MoveItByAtMostAFactorOfTwo()
    {
        var ledger = new PrefillLedger();
        var first = ledger.Begin(1000, streamed: true);
        await Task.Delay(50);
        first.FirstToken();
        var learnt = ledger.TokensPerSecond;

        var cached = ledger.Begin(1_000_000, streamed: true); // a cached prefix: a huge prompt answered at once
        await Task.Delay(20);
        cached.FirstToken();

        Assert.InRange(ledger.TokensPerSecond, learnt, learnt * 1.2 * 1.01); // 0.2 of the way to twice the rate at most
        var instant = ledger.Begin(1_000_000, streamed: true);
        instant.FirstToken(); // under 10 ms: not a sample
        Assert.InRange(ledger.TokensPerSecond, learnt, learnt * 1.2 * 1.01);
    }

    [Fact]
    public void End_Twice_CountsOnce()
    {
        var ledger = new PrefillLedger();
        var hold = ledger.Begin(100);
        ledger.Begin(50);

        hold.End();
        hold.FirstToken();

        Assert.Equal(50, ledger.TokensInFlight());
        Assert.Equal(0, ledger.TokensPerSecond);
    }

    [Fact]
    public void RoomOf_PrefillCapSet_InstancePrefillingAtTheCapHasNoRoom()
    {
        var settings = new FlowControlSettings { Enabled = true, MaxPrefillTokensPerInstance = 8000 };
        var busy = BackendSelectorTests.Instance("busy");
        var idle = BackendSelectorTests.Instance("idle");
        busy.Prefill.Begin(8000);

        Assert.Equal(0, Saturation.RoomOf(busy, settings));
        Assert.Equal(1, Saturation.RoomOf(idle, settings));
        Assert.Equal(1, Saturation.PickWithRoom([busy, idle], settings));
    }
}
