namespace LlmHost.Simulator.Engine;

/// <summary>
/// The engine's batch: at most <c>max-num-seqs</c> requests run at once, the rest wait in arrival order, and at most
/// <c>max-loras</c> adapters among them (<see cref="AdapterBatch"/>). The running and waiting counts feed the engine
/// metrics, as vLLM's and SGLang's schedulers do.
/// </summary>
public sealed class Scheduler(SimulatorOptions options)
{
    private readonly SemaphoreSlim _slots = new(options.MaxNumSeqs, options.MaxNumSeqs);

    public AdapterBatch Adapters { get; } = new(options.MaxLoras);
    private int _waiting;
    private int _running;
    private long _tokensInFlight;
    private int _inFlight;
    private int _peakInFlight;

    public int Running => Volatile.Read(ref _running);
    public int Waiting => Volatile.Read(ref _waiting);
    public long TokensInFlight => Interlocked.Read(ref _tokensInFlight);

    /// <summary>The most requests this engine has held at once, running and waiting together.</summary>
    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>Waits for a slot (and for the adapter's place in the batch); null when the waiting queue is full.</summary>
    public async ValueTask<Slot?> EnterAsync(int tokens, string? adapter, CancellationToken cancellationToken)
    {
        var lease = adapter is null ? null : await Adapters.EnterAsync(adapter, cancellationToken).ConfigureAwait(false);
        try
        {
            var slot = await EnterAsync(tokens, cancellationToken).ConfigureAwait(false);
            if (slot is not null)
            {
                slot.Adapter = lease;
                lease = null;
            }
            return slot;
        }
        finally
        {
            lease?.Dispose();
        }
    }

    private async ValueTask<Slot?> EnterAsync(int tokens, CancellationToken cancellationToken)
    {
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var peak = PeakInFlight; inFlight > peak; peak = PeakInFlight)
        {
            Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak);
        }
        var entered = false;
        try
        {
            var slot = await WaitForSlotAsync(tokens, cancellationToken).ConfigureAwait(false);
            entered = slot is not null;
            return slot;
        }
        finally
        {
            if (!entered)
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    private async ValueTask<Slot?> WaitForSlotAsync(int tokens, CancellationToken cancellationToken)
    {
        if (!_slots.Wait(0))
        {
            var waiting = Interlocked.Increment(ref _waiting);
            try
            {
                if (options.MaxWaitingQueueLength > 0 && waiting > options.MaxWaitingQueueLength)
                {
                    return null;
                }
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
        Interlocked.Increment(ref _running);
        Interlocked.Add(ref _tokensInFlight, tokens);
        return new Slot(this, tokens);
    }

    private void Leave(int tokens)
    {
        Interlocked.Add(ref _tokensInFlight, -tokens);
        Interlocked.Decrement(ref _running);
        Interlocked.Decrement(ref _inFlight);
        _slots.Release();
    }

    public sealed class Slot(Scheduler owner, int tokens) : IDisposable
    {
        private int _disposed;

        /// <summary>The adapter's place in the batch, given back with the slot.</summary>
        internal AdapterBatch.Lease? Adapter { get; set; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(tokens);
                Adapter?.Dispose();
            }
        }
    }
}
