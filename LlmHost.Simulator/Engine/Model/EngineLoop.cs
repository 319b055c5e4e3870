namespace LlmHost.Simulator.Engine.Model;

/// <summary>
/// The modelled engine at work (<c>--engine-model roofline</c>): a background loop runs the
/// <see cref="BatchScheduler"/>'s steps while there is work, sleeping each step's simulated duration (divided by
/// <c>--time-scale</c>), then hands each request the tokens the step produced. Requests join at any time and leave when
/// their client goes away.
/// </summary>
public sealed class EngineLoop : IDisposable
{
    private readonly BatchScheduler _scheduler;
    private readonly double _timeScale;
    private readonly Lock _lock = new();
    private readonly List<EngineRun> _runs = [];
    private readonly SemaphoreSlim _work = new(0);
    private readonly CancellationTokenSource _stop = new();

    public EngineLoop(SimulatorOptions options)
    {
        var roofline = new RooflineModel(GpuProfile.Find(options.Gpu)!, ModelProfile.Find(options.ModelProfile)!, options.TensorParallelSize);
        // vLLM pages its cache in blocks of 16 tokens and reuses whole blocks; SGLang's radix cache matches token by
        // token (page size 1): the same cache with one-token blocks, whose chains are the radix tree's paths and
        // whose least recently freed blocks (leaves first) are evicted first.
        var blockSize = options.Engine == LlmHost.Backends.Engines.BackendEngine.Sglang ? 1 : PagedKvCache.VllmBlockSize;
        Cache = new PagedKvCache(roofline.KvBlocks(options.GpuMemoryUtilization, blockSize), blockSize);
        _scheduler = new BatchScheduler(Cache, roofline, options.MaxNumSeqs, options.MaxNumBatchedTokens, options.SchedulingPolicy == "priority", options.MaxLoras);
        _timeScale = options.TimeScale;
        RequestOverhead = RooflineModel.DefaultRequestOverhead / options.TimeScale;
        _ = Task.Run(RunAsync);
    }

    public PagedKvCache Cache { get; }

    /// <summary>Wall time a request spends before it reaches the scheduler (the model's request overhead, scaled).</summary>
    public TimeSpan RequestOverhead { get; }

    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _scheduler.Running;
            }
        }
    }

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _scheduler.Waiting;
            }
        }
    }

    public long Preemptions
    {
        get
        {
            lock (_lock)
            {
                return _scheduler.Preemptions;
            }
        }
    }

    /// <summary>
    /// Queues a request (for LoRA adapter <paramref name="adapter"/>, 0 for the base model, generating the tokens
    /// <paramref name="output"/> when known); null when prompt and output can never fit in the KV cache.
    /// </summary>
    public EngineRun? Submit(IReadOnlyList<int> prompt, int maxOutputTokens, int priority, int adapter = 0, IReadOnlyList<int>? output = null)
    {
        if (Cache.BlocksFor(prompt.Count + maxOutputTokens) > Cache.TotalBlocks)
        {
            return null;
        }
        EngineRun run;
        lock (_lock)
        {
            run = new EngineRun(_scheduler.Add(prompt, maxOutputTokens, priority, adapter, output));
            _runs.Add(run);
        }
        _work.Release();
        return run;
    }

    /// <summary>The client went away: the request leaves the engine and its blocks are freed.</summary>
    public void Abort(EngineRun run)
    {
        lock (_lock)
        {
            _scheduler.Abort(run.Sequence);
            _runs.Remove(run);
        }
        run.Tokens.Writer.TryComplete();
        _work.Release(); // what waited behind it may run now
    }

    // Steps run back to back while there is work; each ends, on the wall clock, when the simulated clock says (divided
    // by --time-scale), measured from an anchor, so timer granularity never accumulates into drift.
    private async Task RunAsync()
    {
        var token = _stop.Token;
        var anchorWall = System.Diagnostics.Stopwatch.GetTimestamp();
        var anchorSimulated = TimeSpan.Zero;
        while (!token.IsCancellationRequested)
        {
            bool worked;
            TimeSpan simulatedNow;
            lock (_lock)
            {
                var before = _scheduler.Now;
                _scheduler.Step();
                worked = _scheduler.Now > before;
                simulatedNow = _scheduler.Now;
            }
            try
            {
                if (!worked)
                {
                    await _work.WaitAsync(token); // nothing to run until a request arrives
                    (anchorWall, anchorSimulated) = (System.Diagnostics.Stopwatch.GetTimestamp(), _scheduler.Now);
                    continue;
                }
                var due = (simulatedNow - anchorSimulated) / _timeScale - System.Diagnostics.Stopwatch.GetElapsedTime(anchorWall);
                if (due >= TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(due, token);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Deliver();
        }
    }

    // Every request gets the tokens its sequence produced in the step that just ended; finished ones are closed.
    private void Deliver()
    {
        lock (_lock)
        {
            for (var i = _runs.Count - 1; i >= 0; i--)
            {
                var run = _runs[i];
                while (run.Delivered < run.Sequence.OutputTokens)
                {
                    run.Tokens.Writer.TryWrite(_scheduler.Now);
                    run.Delivered++;
                }
                if (run.Sequence.Finished is not null || run.Sequence.Failed)
                {
                    run.Tokens.Writer.TryComplete();
                    _runs.RemoveAt(i);
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_lock)
        {
            foreach (var run in _runs)
            {
                run.Tokens.Writer.TryComplete();
            }
        }
        _stop.Dispose();
    }
}
