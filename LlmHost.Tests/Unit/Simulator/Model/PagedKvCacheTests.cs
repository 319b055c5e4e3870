using LlmHost.Simulator.Engine.Model;

namespace LlmHost.Tests.Unit.Simulator.Model;

/// <summary>The paged KV cache with prefix caching: block accounting, reuse, eviction order, growth.</summary>
[Trait("Category", "Unit")]
public sealed class PagedKvCacheTests
{
    private static List<int> Tokens(int count, int seed = 0) => [.. Enumerable.Range(seed * 100_000, count)];

    [Fact]
    public void Admit_RepeatedPrompt_ReusesItsFullBlocks()
    {
        var cache = new PagedKvCache(16);
        var first = cache.Admit(Tokens(40))!;
        cache.MarkComputed(first, 40);
        cache.Free(first);

        var second = cache.Admit(Tokens(40))!;

        Assert.Equal(0, first.CachedTokens);
        Assert.Equal(32, second.CachedTokens);
        Assert.Equal(3, second.BlockCount);
        Assert.Equal((80, 32), (cache.PrefixQueries, cache.PrefixHits));
    }

    [Theory]
    [InlineData(16, 16)] // vLLM: whole blocks only
    [InlineData(1, 25)]  // SGLang's radix cache: token by token
    public void Admit_PromptSharingPartOfABlock_MatchesAtTheCachesGranularity(int blockSize, int expectedHit)
    {
        var cache = new PagedKvCache(64, blockSize);
        var first = cache.Admit(Tokens(40))!;
        cache.MarkComputed(first, 40);
        cache.Free(first);

        var second = cache.Admit([.. Tokens(25), .. Tokens(15, seed: 1)])!;

        Assert.Equal(expectedHit, second.CachedTokens);
    }

    [Fact]
    public void Eviction_RadixCache_LeavesOfTheLeastRecentlyUsedPathFirst()
    {
        var cache = new PagedKvCache(30, blockSize: 1);
        var shared = Tokens(10);
        var a = cache.Admit([.. shared, .. Tokens(10, seed: 1)])!;
        cache.MarkComputed(a, 20);
        cache.Free(a);
        var b = cache.Admit([.. shared, .. Tokens(5, seed: 2)])!;
        cache.MarkComputed(b, 15);
        cache.Free(b);

        // 10 new tokens: the cache has 30, 25 of them hold a's and b's paths; the 5 taken from them are a's tail.
        var c = cache.Admit(Tokens(10, seed: 3))!;
        cache.Free(c);

        Assert.Equal(14, cache.Admit([.. shared, .. Tokens(5, seed: 2)])!.CachedTokens);
        Assert.InRange(cache.Admit([.. shared, .. Tokens(10, seed: 1)])!.CachedTokens, 10, 15);
    }

    [Fact]
    public void Admit_PromptOfWholeBlocks_LastBlockComputedAgain()
    {
        var cache = new PagedKvCache(16);
        var first = cache.Admit(Tokens(32))!;
        cache.MarkComputed(first, 32);
        cache.Free(first);

        Assert.Equal(16, cache.Admit(Tokens(32))!.CachedTokens);
    }

    [Fact]
    public void Admit_PrefillCutShort_OnlyItsComputedBlocksAreCached()
    {
        var cache = new PagedKvCache(16);
        var cut = cache.Admit(Tokens(64))!;
        cache.MarkComputed(cut, 20); // one chunk computed, then the client went away
        cache.Free(cut);

        Assert.Equal(16, cache.Admit(Tokens(64))!.CachedTokens);
    }

    [Fact]
    public void Admit_HitsInTheFreeList_CountedAgainstTheBlocksLeft()
    {
        var cache = new PagedKvCache(4);
        var first = cache.Admit(Tokens(48))!; // three blocks, computed, freed: cached and free
        cache.MarkComputed(first, 48);
        cache.Free(first);

        // Two of the four free blocks are hits; the other two can take two new blocks, not three.
        Assert.Null(cache.Admit([.. Tokens(32), .. Tokens(48, seed: 7)]));
        var fits = cache.Admit([.. Tokens(32), .. Tokens(32, seed: 7)])!;
        Assert.Equal(32, fits.CachedTokens);
        Assert.Equal(0, cache.FreeBlocks);
    }

    [Fact]
    public void Admit_NotEnoughBlocks_NullAndNothingChanged()
    {
        var cache = new PagedKvCache(4);

        Assert.Null(cache.Admit(Tokens(80)));
        Assert.Equal(4, cache.FreeBlocks);
        Assert.Equal(0, cache.PrefixQueries);
    }

    [Fact]
    public void Admit_SharedPrefixInUse_SharedNotCopied()
    {
        var cache = new PagedKvCache(8);
        var a = cache.Admit(Tokens(33))!;
        cache.MarkComputed(a, 33);
        var b = cache.Admit([.. Tokens(32), 999_999])!;

        Assert.Equal(32, b.CachedTokens);
        Assert.Equal(8 - 3 - 1, cache.FreeBlocks);
        cache.Free(a);
        Assert.Equal(8 - 3, cache.FreeBlocks); // the shared blocks stay with b
        cache.Free(b);
        Assert.Equal(8, cache.FreeBlocks);
        Assert.Equal(0, cache.Usage);
    }

    [Fact]
    public void Eviction_LeastRecentlyFreedFirst_ASequencesLastBlocksFirst()
    {
        var cache = new PagedKvCache(4);
        var first = cache.Admit(Tokens(33, seed: 1))!; // blocks 0, 1, 2; freed as 2, 1, 0 after the unused 3
        cache.MarkComputed(first, 33);
        cache.Free(first);
        var other = cache.Admit(Tokens(33, seed: 2))!; // takes 3, 2, 1: the first block of seed 1 survives
        cache.MarkComputed(other, 33);
        cache.Free(other);

        var again = cache.Admit(Tokens(33, seed: 1))!;

        Assert.Equal(16, again.CachedTokens);
    }

    [Fact]
    public void TryGrow_AcrossABlockBoundary_AllocatesAndRefusesWhenFull()
    {
        var cache = new PagedKvCache(2);
        var sequence = cache.Admit(Tokens(15))!;

        Assert.True(cache.TryGrow(sequence, [1]));
        Assert.Equal(1, sequence.BlockCount);
        Assert.True(cache.TryGrow(sequence, [2]));
        Assert.Equal(2, sequence.BlockCount);
        Assert.True(cache.TryGrow(sequence, Tokens(15, seed: 3)));
        Assert.False(cache.TryGrow(sequence, [4]));
        Assert.Equal(32, sequence.Tokens);
        Assert.Equal(1.0, cache.Usage);
    }

    [Fact]
    public void Blocks_AnySequenceOfOperations_NeverNegativeAndAllComeBack()
    {
        var random = new Random(7);
        var cache = new PagedKvCache(64);
        var live = new List<KvAllocation>();
        for (var step = 0; step < 5_000; step++)
        {
            switch (random.Next(3))
            {
                case 0 when cache.Admit(Tokens(random.Next(1, 200), seed: random.Next(5))) is { } admitted:
                    // Computed in full, or cut short part of the way, as a prefill may be.
                    cache.MarkComputed(admitted, random.Next(2) == 0 ? admitted.Tokens : random.Next(admitted.Tokens + 1));
                    live.Add(admitted);
                    break;
                case 1 when live.Count > 0:
                    cache.TryGrow(live[random.Next(live.Count)], Tokens(random.Next(1, 40), seed: 9));
                    break;
                case 2 when live.Count > 0:
                    // The newest first, as a preemption frees it.
                    cache.Free(live[^1]);
                    live.RemoveAt(live.Count - 1);
                    break;
            }
            Assert.InRange(cache.FreeBlocks, 0, 64);
            Assert.Equal(64 - live.Sum(a => a.BlockCount) + SharedBlocks(live), cache.FreeBlocks);
        }
        foreach (var allocation in live)
        {
            cache.Free(allocation);
        }
        Assert.Equal(64, cache.FreeBlocks);
        Assert.True(cache.PrefixHits > 0);
    }

    // Blocks counted once per sequence holding them, beyond the first.
    private static int SharedBlocks(List<KvAllocation> live)
    {
        var field = typeof(KvAllocation).GetProperty("Blocks", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var all = live.SelectMany(a => (List<int>)field.GetValue(a)!).ToList();
        return all.Count - all.Distinct().Count();
    }
}
