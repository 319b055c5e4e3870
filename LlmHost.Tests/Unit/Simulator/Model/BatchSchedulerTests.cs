using LlmHost.Simulator.Engine.Model;

namespace LlmHost.Tests.Unit.Simulator.Model;

/// <summary>Continuous batching on the simulated clock: prefill then one token a step, chunks, cache hits, preemption, priority.</summary>
[Trait("Category", "Unit")]
public sealed class BatchSchedulerTests
{
    private static readonly RooflineModel H100 = new(GpuProfile.H100, ModelProfile.Llama31_8B);

    private static List<int> Tokens(int count, int seed = 0) => [.. Enumerable.Range(seed * 100_000, count)];

    private static List<EngineSequence> RunToEnd(BatchScheduler scheduler, int maxSteps = 10_000)
    {
        var finished = new List<EngineSequence>();
        for (var i = 0; i < maxSteps && (scheduler.Running > 0 || scheduler.Waiting > 0); i++)
        {
            finished.AddRange(scheduler.Step());
        }
        return finished;
    }

    [Fact]
    public void Step_OnePrompt_FirstTokenWithThePrefillThenOneAStep()
    {
        var scheduler = new BatchScheduler(new PagedKvCache(1000), H100);
        var sequence = scheduler.Add(Tokens(100), maxOutputTokens: 5);

        scheduler.Step();
        var firstToken = scheduler.Now;
        var finished = RunToEnd(scheduler);

        Assert.Equal(firstToken, sequence.FirstToken);
        Assert.Equal(5, sequence.OutputTokens);
        Assert.Same(sequence, Assert.Single(finished));
        Assert.True(sequence.Finished > sequence.FirstToken);
        Assert.Equal(1000, scheduler.Cache.FreeBlocks);
    }

    [Fact]
    public void Step_LongPrompt_PrefilledInChunksOfTheTokenBudget()
    {
        var scheduler = new BatchScheduler(new PagedKvCache(1000), H100, maxBatchedTokens: 64);
        var sequence = scheduler.Add(Tokens(200), maxOutputTokens: 1);

        for (var step = 1; step <= 3; step++)
        {
            scheduler.Step();
            Assert.Null(sequence.FirstToken);
        }
        scheduler.Step();

        Assert.NotNull(sequence.FirstToken);
        Assert.NotNull(sequence.Finished);
    }

    [Fact]
    public void Add_RepeatedPrompt_PrefixCacheShortensTimeToFirstToken()
    {
        var scheduler = new BatchScheduler(new PagedKvCache(1000), H100);
        var first = scheduler.Add(Tokens(4000), maxOutputTokens: 1);
        RunToEnd(scheduler);
        var start = scheduler.Now;

        var second = scheduler.Add(Tokens(4000), maxOutputTokens: 1);
        RunToEnd(scheduler);

        Assert.Equal(0, first.CachedPromptTokens);
        Assert.Equal(3984, second.CachedPromptTokens);
        Assert.True(second.FirstToken - start < first.FirstToken / 5, $"{second.FirstToken - start} vs {first.FirstToken}");
    }

    [Fact]
    public void Add_NextTurnWithTheAnswer_FindsPromptAndAnswerCached()
    {
        var scheduler = new BatchScheduler(new PagedKvCache(1000), H100);
        var answer = Tokens(64, seed: 7);
        scheduler.Add(Tokens(320), maxOutputTokens: 64, output: answer);
        RunToEnd(scheduler);

        // The next turn sends the prompt, the answer and a new question.
        var next = scheduler.Add([.. Tokens(320), .. answer, .. Tokens(50, seed: 9)], maxOutputTokens: 1);
        RunToEnd(scheduler);

        // 320 prompt tokens and the first 63 answer tokens were computed (the last sampled token never is): 23 full blocks.
        Assert.Equal(368, next.CachedPromptTokens);
    }

    [Fact]
    public void Add_SamePromptOtherAdapter_DoesNotShareTheCache()
    {
        var scheduler = new BatchScheduler(new PagedKvCache(1000), H100, maxLoras: 2);
        scheduler.Add(Tokens(320), maxOutputTokens: 1, adapter: 1);
        RunToEnd(scheduler);

        var otherAdapter = scheduler.Add(Tokens(320), maxOutputTokens: 1, adapter: 2);
        var sameAdapter = scheduler.Add(Tokens(320), maxOutputTokens: 1, adapter: 1);
        RunToEnd(scheduler);

        Assert.Equal(0, otherAdapter.CachedPromptTokens);
        Assert.Equal(304, sameAdapter.CachedPromptTokens);
    }

    [Fact]
    public void Step_MoreAdaptersThanMaxLoras_OthersWaitAndLaterOnesOfRunningAdaptersGoFirst()
    {
        var scheduler = new BatchScheduler(new PagedKvCache(1000), H100, maxLoras: 1);
        var a1 = scheduler.Add(Tokens(32, seed: 1), maxOutputTokens: 10, adapter: 1);
        var b = scheduler.Add(Tokens(32, seed: 2), maxOutputTokens: 10, adapter: 2);
        var a2 = scheduler.Add(Tokens(32, seed: 3), maxOutputTokens: 10, adapter: 1);
        var base1 = scheduler.Add(Tokens(32, seed: 4), maxOutputTokens: 10);

        scheduler.Step();

        // One adapter slot: adapter 1 runs twice, adapter 2 waits, the base model needs no slot.
        Assert.Equal((3, 1), (scheduler.Running, scheduler.Waiting));
        Assert.NotNull(a1.FirstToken);
        Assert.NotNull(a2.FirstToken);
        Assert.NotNull(base1.FirstToken);
        Assert.Null(b.FirstToken);
        RunToEnd(scheduler);
        Assert.True(b.FirstToken >= a1.Finished, "adapter 2 ran only once adapter 1 had left the batch");
    }

    [Fact]
    public void Step_CacheRunsOut_NewestPreemptedAndEveryoneFinishes()
    {
        var cache = new PagedKvCache(12);
        var scheduler = new BatchScheduler(cache, H100);
        var sequences = Enumerable.Range(0, 3).Select(i => scheduler.Add(Tokens(40, seed: i), maxOutputTokens: 40)).ToList();

        var finished = RunToEnd(scheduler);

        Assert.Equal(3, finished.Count);
        Assert.True(scheduler.Preemptions > 0);
        Assert.All(sequences, s => Assert.Equal(40, s.OutputTokens));
        Assert.Contains(sequences, s => s.Preemptions > 0);
        Assert.Equal(12, cache.FreeBlocks);
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public void Step_OneSeat_FifoOrPriority(bool priorityPolicy, int firstServed)
    {
        var scheduler = new BatchScheduler(new PagedKvCache(1000), H100, maxNumSeqs: 1, priorityPolicy: priorityPolicy);
        var sequences = new[] { scheduler.Add(Tokens(10, seed: 1), 2, priority: 5), scheduler.Add(Tokens(10, seed: 2), 2, priority: 0) };

        scheduler.Step();

        Assert.Equal(1, scheduler.Running);
        Assert.NotNull(sequences[firstServed].FirstToken);
        Assert.Null(sequences[1 - firstServed].FirstToken);
    }

    [Fact]
    public void Step_SequenceLargerThanTheCache_FailedAndTheOthersServed()
    {
        var cache = new PagedKvCache(4);
        var scheduler = new BatchScheduler(cache, H100);
        var huge = scheduler.Add(Tokens(100), maxOutputTokens: 1);
        var small = scheduler.Add(Tokens(10, seed: 1), maxOutputTokens: 2);

        var finished = RunToEnd(scheduler);

        Assert.True(huge.Failed);
        Assert.Same(small, Assert.Single(finished));
        Assert.Equal(4, cache.FreeBlocks);
    }

    [Fact]
    public void Abort_MidPrefill_BlocksBackAndNothingCached()
    {
        var cache = new PagedKvCache(100);
        var scheduler = new BatchScheduler(cache, H100, maxBatchedTokens: 64);
        var sequence = scheduler.Add(Tokens(640), maxOutputTokens: 4);
        scheduler.Step();

        scheduler.Abort(sequence);

        Assert.Equal(100, cache.FreeBlocks);
        Assert.Equal(0, scheduler.Running);
        // Only the 64 tokens computed before the abort can be reused.
        var again = scheduler.Add(Tokens(640), maxOutputTokens: 1);
        scheduler.Step();
        Assert.Equal(64, again.CachedPromptTokens);
    }
}
