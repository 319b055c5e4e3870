using System.Diagnostics;
using System.Text;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Routing.Load;
using LlmHost.Gateway.Routing.Prefix;

namespace LlmHost.Tests.Unit.Gateway.Routing;

/// <summary>prefix_aware and load_aware: chained chunk hashes, the bounded index, scoring and thresholds, engine load.</summary>
[Trait("Category", "Unit")]
public sealed class PrefixRoutingTests
{
    private static readonly PrefixRoutingSettings Settings = new() { ChunkBytes = 16, MaxChunks = 64, BalanceAbsThreshold = 4, BalanceRelThreshold = 1.5 };

    private static PromptChunks Chunks(string prompt, string model = "m") =>
        PromptChunks.Of(Encoding.UTF8.GetBytes(prompt), Encoding.UTF8.GetBytes(model), Settings.ChunkBytes, Settings.MaxChunks);

    private static BackendInstance Instance(string name, int outstanding = 0)
    {
        var instance = BackendSelectorTests.Instance(name);
        for (var i = 0; i < outstanding; i++)
        {
            instance.Enter();
        }
        return instance;
    }

    [Fact]
    public void Of_SharedPrefix_SameLeadingHashesOnly()
    {
        var shared = new string('s', 40);
        using var a = Chunks(shared + new string('a', 40));
        using var b = Chunks(shared + new string('b', 40));
        using var otherModel = Chunks(shared + new string('a', 40), model: "n");

        // 80 bytes in chunks of 16: five chunks, the first two (32 bytes) identical, the third straddles the difference.
        Assert.Equal(5, a.Count);
        Assert.Equal(a.Hashes[..2].ToArray(), b.Hashes[..2].ToArray());
        Assert.NotEqual(a.Hashes[2], b.Hashes[2]);
        Assert.NotEqual(a.Hashes[0], otherModel.Hashes[0]);
    }

    [Fact]
    public void Of_ShortOrLongPrompt_NoPartialChunkAndAtMostMaxChunks()
    {
        using var tiny = Chunks(new string('x', 15));
        using var huge = Chunks(new string('x', 16 * 1000));

        Assert.Equal(0, tiny.Count);
        Assert.Equal(64, huge.Count);
    }

    [Fact]
    public void MatchLength_RecordedPrompt_LongestSharedRun()
    {
        var index = new PrefixIndex(1000);
        using var first = Chunks(new string('s', 64) + new string('a', 64));
        using var second = Chunks(new string('s', 64) + new string('b', 64));
        using var unrelated = Chunks(new string('u', 128));
        index.Record(first.Hashes);

        Assert.Equal(8, index.MatchLength(first.Hashes));
        Assert.Equal(4, index.MatchLength(second.Hashes));
        Assert.Equal(0, index.MatchLength(unrelated.Hashes));
        Assert.Equal(0, index.MatchLength([]));
    }

    [Fact]
    public void Record_FarMoreThanCapacity_StaysBoundedAndKeepsTheRecent()
    {
        var index = new PrefixIndex(100);
        using var kept = Chunks(new string('k', 16 * 10));
        index.Record(kept.Hashes);

        for (var i = 0; i < 1000; i++)
        {
            using var other = Chunks($"{i:D8}{new string('o', 16 * 4)}");
            index.Record(other.Hashes);
            if (i % 5 == 0)
            {
                index.Record(kept.Hashes); // used again: stays
            }
        }
        using var old = Chunks($"{0:D8}{new string('o', 16 * 4)}");

        Assert.InRange(index.Count, 1, 100);
        Assert.Equal(10, index.MatchLength(kept.Hashes));
        Assert.Equal(0, index.MatchLength(old.Hashes));
    }

    [Fact]
    public void Record_PromptArrivingWhenTheGenerationIsNearlyFull_KeptWhole()
    {
        var index = new PrefixIndex(40); // generations of 20 chunks
        using var filler = Chunks(new string('f', 16 * 15));
        using var prompt = Chunks(new string('p', 16 * 10));
        index.Record(filler.Hashes);

        index.Record(prompt.Hashes); // 15 + 10 > 20: a new generation, not 5 chunks here and 5 there
        using var other = Chunks(new string('o', 16 * 12));
        index.Record(other.Hashes); // 10 + 12 > 20: the prompt moves to the previous generation, whole

        Assert.Equal(10, index.MatchLength(prompt.Hashes));
        Assert.Equal(0, index.MatchLength(filler.Hashes));
    }

    [Fact]
    public void PickByPrefix_InstanceHoldingThePrefix_Chosen()
    {
        BackendInstance[] instances = [Instance("a"), Instance("b", outstanding: 2), Instance("c")];
        using var prompt = Chunks(new string('p', 160));
        instances[1].Prefixes.Record(prompt.Hashes[..6]);
        instances[2].Prefixes.Record(prompt.Hashes[..3]);

        Assert.Equal(1, BackendSelector.PickByPrefix(instances, prompt.Hashes, Settings));
    }

    [Fact]
    public void PickByPrefix_HolderMuchBusier_LeastLoadedInstead()
    {
        BackendInstance[] instances = [Instance("idle"), Instance("holder", outstanding: 9)];
        using var prompt = Chunks(new string('p', 160));
        instances[1].Prefixes.Record(prompt.Hashes);

        // 9 vs 0: more than 4 more and more than 1.5 times as many.
        Assert.Equal(0, BackendSelector.PickByPrefix(instances, prompt.Hashes, Settings));
        // 4 more is within the absolute threshold: affinity holds.
        BackendInstance[] close = [Instance("idle", outstanding: 1), Instance("holder", outstanding: 5)];
        close[1].Prefixes.Record(prompt.Hashes);
        Assert.Equal(1, BackendSelector.PickByPrefix(close, prompt.Hashes, Settings));
    }

    [Fact]
    public void PickByPrefix_NobodyHoldsIt_LeastLoadedAndSkipsUnavailable()
    {
        var down = Instance("down");
        down.Reachable = false;
        BackendInstance[] instances = [Instance("busy", outstanding: 3), down, Instance("calm", outstanding: 1)];
        using var prompt = Chunks(new string('p', 160));

        Assert.Equal(2, BackendSelector.PickByPrefix(instances, prompt.Hashes, Settings));
        Assert.Equal(0, BackendSelector.PickByPrefix(instances, prompt.Hashes, Settings, excluded: 2));
        Assert.Equal(-1, BackendSelector.PickByPrefix([down], prompt.Hashes, Settings));
    }

    [Fact]
    public void PickLeastLoaded_FreshEngineQueueCountsStaleDoesNot()
    {
        BackendInstance[] instances = [Instance("queued"), Instance("gateway-busy", outstanding: 3)];
        instances[0].Load = new EngineLoad(Running: 8, Waiting: 10, KvCacheUsage: 0.9, ReadAt: Stopwatch.GetTimestamp());

        Assert.Equal(1, BackendSelector.PickLeastLoaded(instances));

        instances[0].Load = new EngineLoad(8, 10, 0.9, Stopwatch.GetTimestamp() - (long)(Stopwatch.Frequency * 60));
        Assert.Equal(0, BackendSelector.PickLeastLoaded(instances));
    }

    private static BackendInstance WithAdapters(string name, int outstanding, params string[] inFlight)
    {
        var instance = Instance(name, outstanding);
        foreach (var adapter in inFlight)
        {
            instance.HeldAdapters.Use(adapter).TryBegin();
        }
        return instance;
    }

    [Fact]
    public void PickForAdapter_RunningHereBeatsAFreeSlotWhichBeatsAFullInstance()
    {
        // lora.max_loaded is 4: "full" has four other adapters in flight, "free" one, "running" has this one.
        var full = WithAdapters("full", 0, "a", "b", "c", "d");
        var free = WithAdapters("free", 1, "a");
        var running = WithAdapters("running", 2, "sql", "a");

        Assert.Equal(2, BackendSelector.PickForAdapter([full, free, running], "sql", Settings));
        Assert.Equal(1, BackendSelector.PickForAdapter([full, free], "sql", Settings));
        Assert.Equal(0, BackendSelector.PickForAdapter([full], "sql", Settings));
    }

    [Fact]
    public void PickForAdapter_RunningInstanceMuchBusier_SpreadsToAFreeSlot()
    {
        var busy = WithAdapters("busy", 12, "sql");
        var free = WithAdapters("free", 1);

        Assert.Equal(1, BackendSelector.PickForAdapter([busy, free], "sql", Settings));
        Assert.Equal(-1, BackendSelector.PickForAdapter([busy], "sql", Settings, excluded: 0));
    }

    [Fact]
    public void Reader_EngineMetrics_SumsLabelSetsAndKnowsBothKvNames()
    {
        var vllm = new EngineLoad.Reader(EngineProfile.Vllm);
        foreach (var line in """
            # HELP vllm:num_requests_waiting Number of requests waiting.
            vllm:num_requests_waiting{model_name="a"} 3.0
            vllm:num_requests_waiting{model_name="b"} 2.0
            vllm:num_requests_running{model_name="a"} 7
            vllm:gpu_cache_usage_perc{model_name="a"} 0.25
            vllm:num_requests_waiting_by_reason{reason="x"} 99
            garbage line
            vllm:num_requests_running{model_name="b"} NaN
            """.Split('\n'))
        {
            vllm.Line(line.Trim());
        }
        var sglang = new EngineLoad.Reader(EngineProfile.Sglang);
        sglang.Line("sglang:num_queue_reqs{model_name=\"m\"} 4");
        sglang.Line("sglang:token_usage{model_name=\"m\"} 0.5");

        Assert.Equal(new EngineLoad(7, 5, 0.25, 1), vllm.Result(1));
        Assert.Equal(new EngineLoad(0, 4, 0.5, 2), sglang.Result(2));
    }
}
