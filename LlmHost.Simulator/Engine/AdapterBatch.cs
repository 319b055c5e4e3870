namespace LlmHost.Simulator.Engine;

/// <summary>
/// The adapters one batch may mix (vLLM <c>--max-loras</c>, SGLang <c>--max-loras-per-batch</c>): a request for an
/// adapter that is not running waits while that many others are, until one of them has no request left — what
/// <c>vllm:lora_requests_info</c> shows as running and waiting adapters.
/// </summary>
public sealed class AdapterBatch(int maxLoras)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _waiting = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask<Lease> EnterAsync(string adapter, CancellationToken cancellationToken)
    {
        var queued = false;
        try
        {
            while (true)
            {
                Task changed;
                lock (_lock)
                {
                    if (_running.ContainsKey(adapter) || _running.Count < maxLoras)
                    {
                        _running[adapter] = _running.GetValueOrDefault(adapter) + 1;
                        if (queued)
                        {
                            Remove(_waiting, adapter);
                            queued = false;
                        }
                        return new Lease(this, adapter);
                    }
                    if (!queued)
                    {
                        _waiting[adapter] = _waiting.GetValueOrDefault(adapter) + 1;
                        queued = true;
                    }
                    changed = _changed.Task;
                }
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (queued)
            {
                lock (_lock)
                {
                    Remove(_waiting, adapter);
                }
            }
        }
    }

    /// <summary>The running and the waiting adapters, each comma-joined in name order.</summary>
    public (string Running, string Waiting) Describe()
    {
        lock (_lock)
        {
            return (Join(_running.Keys), Join(_waiting.Keys));
        }
    }

    private void Leave(string adapter)
    {
        lock (_lock)
        {
            if (Remove(_running, adapter))
            {
                var changed = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed.SetResult();
            }
        }
    }

    // Decrements the count; true when it reached zero and the name left.
    private static bool Remove(Dictionary<string, int> counts, string adapter)
    {
        if (!counts.TryGetValue(adapter, out var count))
        {
            return false;
        }
        if (count > 1)
        {
            counts[adapter] = count - 1;
            return false;
        }
        counts.Remove(adapter);
        return true;
    }

    private static string Join(IEnumerable<string> names)
    {
        var sorted = names.ToList();
        sorted.Sort(StringComparer.Ordinal);
        return string.Join(',', sorted);
    }

    public sealed class Lease(AdapterBatch owner, string adapter) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(adapter);
            }
        }
    }
}
