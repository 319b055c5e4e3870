namespace LlmHost.Simulator.Engine.Model;

/// <summary>
/// Continuous batching as vLLM's scheduler does it, one step at a time on a simulated clock: the running sequences
/// first (one decode token each, or their next prefill chunk), then waiting ones (FIFO, or by priority) while the
/// step's token budget (<c>max_num_batched_tokens</c>) and <c>max_num_seqs</c> allow; a sequence whose KV cache cannot
/// grow preempts the newest running one (its blocks freed, recomputed later from its prompt and output so far, which
/// the prefix cache makes cheap). A step lasts what the roofline says; a prefill that completes in a step yields an
/// output token, every decode step one more. Blocks for a whole prompt are taken at admission (vLLM takes them
/// chunk by chunk: the difference only shows when a single prompt is larger than the free cache). At most
/// <c>max_loras</c> distinct LoRA adapters run at once: a waiting request of another adapter is passed over (others
/// behind it may go first) until one of them leaves the batch, as vLLM's scheduler does.
/// </summary>
public sealed class BatchScheduler(PagedKvCache cache, RooflineModel roofline, int maxNumSeqs = 256, int maxBatchedTokens = 8192, bool priorityPolicy = false, int maxLoras = 1)
{
    private readonly List<EngineSequence> _running = [];
    private readonly List<EngineSequence> _waiting = [];
    private long _nextId;

    public TimeSpan Now { get; private set; }
    public int Running => _running.Count;
    public int Waiting => _waiting.Count;
    public long Preemptions { get; private set; }
    public PagedKvCache Cache => cache;

    public EngineSequence Add(IReadOnlyList<int> prompt, int maxOutputTokens, int priority = 0, int adapter = 0, IReadOnlyList<int>? output = null)
    {
        var sequence = new EngineSequence(++_nextId, prompt, Math.Max(1, maxOutputTokens), priority, Now, adapter, output);
        _waiting.Add(sequence);
        return sequence;
    }

    /// <summary>Moves the clock of an idle engine forward (nothing happens in between).</summary>
    public void AdvanceTo(TimeSpan time)
    {
        if (time > Now)
        {
            Now = time;
        }
    }

    /// <summary>Takes a sequence out (its client went away): its blocks are freed, it is scheduled no more.</summary>
    public void Abort(EngineSequence sequence)
    {
        if (_running.Remove(sequence) || _waiting.Remove(sequence))
        {
            if (sequence.Kv is { } kv)
            {
                cache.Free(kv);
            }
            sequence.Kv = null;
        }
    }

    /// <summary>Runs one step; returns the sequences that finished in it (empty when nothing was scheduled).</summary>
    public IReadOnlyList<EngineSequence> Step()
    {
        var scheduled = new List<(EngineSequence Sequence, int Tokens)>();
        var budget = maxBatchedTokens;
        var preempted = ScheduleRunning(scheduled, ref budget);
        if (!preempted)
        {
            ScheduleWaiting(scheduled, ref budget);
        }
        if (scheduled.Count == 0)
        {
            return [];
        }
        long newTokens = 0, attended = 0, kvRead = 0;
        foreach (var (sequence, tokens) in scheduled)
        {
            newTokens += tokens;
            // Each new token attends to the context before it and itself.
            attended += (long)tokens * sequence.Computed + (long)tokens * (tokens + 1) / 2;
            kvRead += sequence.Computed + tokens;
        }
        Now += roofline.StepTime(newTokens, attended, kvRead);
        return Advance(scheduled);
    }

    // Running sequences get their tokens first; false when one had to be preempted to make room.
    private bool ScheduleRunning(List<(EngineSequence, int)> scheduled, ref int budget)
    {
        var preempted = false;
        for (var i = 0; i < _running.Count && budget > 0; i++)
        {
            var sequence = _running[i];
            var tokens = sequence.IsPrefilling ? Math.Min(budget, sequence.PrefillTarget - sequence.Computed) : 1;
            if (!sequence.IsPrefilling)
            {
                // The last output's KV is computed in this step.
                while (!cache.TryGrow(sequence.Kv!, [sequence.Tokens[^1]]))
                {
                    var victim = _running[^1];
                    Preempt(victim);
                    preempted = true;
                    if (victim == sequence)
                    {
                        return true;
                    }
                }
            }
            scheduled.Add((sequence, tokens));
            budget -= tokens;
        }
        return preempted;
    }

    private void ScheduleWaiting(List<(EngineSequence, int)> scheduled, ref int budget)
    {
        if (_waiting.Count == 0)
        {
            return;
        }
        var adapters = RunningAdapters();
        foreach (var sequence in WaitingInOrder())
        {
            if (budget <= 0 || _running.Count >= maxNumSeqs)
            {
                return;
            }
            if (cache.BlocksFor(sequence.Tokens.Count + sequence.MaxOutputTokens - sequence.OutputTokens) > cache.TotalBlocks)
            {
                // Larger than the whole cache: it would wait (and keep everyone behind it waiting) forever.
                _waiting.Remove(sequence);
                sequence.Failed = true;
                continue;
            }
            if (sequence.Adapter != 0 && !adapters.Contains(sequence.Adapter) && adapters.Count >= maxLoras)
            {
                continue; // every adapter slot of the batch is taken by others
            }
            if (cache.Admit(sequence.Tokens, (ulong)(uint)sequence.Adapter) is not { } kv)
            {
                return; // the cache is full: it waits for blocks to come back
            }
            _waiting.Remove(sequence);
            if (sequence.Adapter != 0)
            {
                adapters.Add(sequence.Adapter);
            }
            sequence.Kv = kv;
            sequence.PrefillTarget = sequence.Tokens.Count;
            sequence.Computed = kv.CachedTokens;
            if (sequence.Preemptions == 0)
            {
                sequence.CachedPromptTokens = kv.CachedTokens;
            }
            var tokens = Math.Min(budget, sequence.PrefillTarget - sequence.Computed);
            _running.Add(sequence);
            scheduled.Add((sequence, tokens));
            budget -= tokens;
        }
    }

    private HashSet<int> RunningAdapters()
    {
        var adapters = new HashSet<int>();
        foreach (var sequence in _running)
        {
            if (sequence.Adapter != 0)
            {
                adapters.Add(sequence.Adapter);
            }
        }
        return adapters;
    }

    // FIFO (preempted sequences went back to the front), or by priority and then arrival: a snapshot, since admitted
    // sequences leave the list while it is walked.
    private EngineSequence[] WaitingInOrder()
    {
        var order = _waiting.ToArray();
        if (priorityPolicy)
        {
            // A stable sort: equal priorities keep their queue order.
            var positions = new Dictionary<EngineSequence, int>(order.Length);
            for (var i = 0; i < order.Length; i++)
            {
                positions[order[i]] = i;
            }
            Array.Sort(order, (a, b) => a.Priority != b.Priority ? a.Priority.CompareTo(b.Priority) : positions[a].CompareTo(positions[b]));
        }
        return order;
    }

    private void Preempt(EngineSequence sequence)
    {
        cache.Free(sequence.Kv!);
        sequence.Kv = null;
        sequence.Computed = 0;
        sequence.Preemptions++;
        Preemptions++;
        _running.Remove(sequence);
        _waiting.Insert(0, sequence);
    }

    private List<EngineSequence> Advance(List<(EngineSequence Sequence, int Tokens)> scheduled)
    {
        var finished = new List<EngineSequence>();
        foreach (var (sequence, tokens) in scheduled)
        {
            var wasPrefilling = sequence.IsPrefilling;
            if (wasPrefilling)
            {
                sequence.Computed += tokens;
                if (sequence.IsPrefilling)
                {
                    cache.MarkComputed(sequence.Kv!, sequence.Computed);
                    continue; // more chunks to come
                }
            }
            else
            {
                sequence.Computed++;
            }
            cache.MarkComputed(sequence.Kv!, sequence.Computed);
            // A step whose prefill completes samples an output too (after a preemption: the next one).
            sequence.Tokens.Add(sequence.Output is { } output && sequence.OutputTokens < output.Count ? output[sequence.OutputTokens] : SyntheticToken(sequence));
            sequence.OutputTokens++;
            sequence.FirstToken ??= Now;
            if (sequence.OutputTokens >= sequence.MaxOutputTokens)
            {
                sequence.Finished = Now;
                cache.Free(sequence.Kv!);
                _running.Remove(sequence);
                finished.Add(sequence);
            }
        }
        return finished;
    }

    // A token id for generated output: the same for the same sequence and position.
    private static int SyntheticToken(EngineSequence sequence) => unchecked((int)(sequence.Id * 1_000_003 + sequence.OutputTokens)) & 0x7fffffff;
}
