using System.Diagnostics;
using LlmHost.Gateway.RateLimiting;

// For each key count: make every key active (one admitted and completed request each, with all three limits on),
// then measure the managed memory the limit state holds, and the time of admit + complete on the existing keys.
var counts = args.Length > 0 ? args.Select(int.Parse).ToArray() : [1_000, 100_000];
var policy = new LimitPolicy(Qps: 10, Burst: 20, Concurrency: 8, Tpm: 200_000);
// Warm-up, so that the timings below run optimised code.
var warm = new MemoryLimitStore();
for (var i = 0; i < 200_000; i++)
{
    Admit(warm, $"w{i % 5_000}", new LimitPolicy(1e9, 1_000_000, 8, 1_000_000_000));
}
Console.WriteLine("| active keys | managed memory of the limit state | per key | admit + complete, existing key | first admission of a key |");
Console.WriteLine("|---:|---:|---:|---:|---:|");
foreach (var count in counts)
{
    var ids = Enumerable.Range(0, count).Select(i => $"k{i}").ToArray();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var before = GC.GetTotalMemory(true);
    var store = new MemoryLimitStore();
    var first = Stopwatch.StartNew();
    foreach (var id in ids)
    {
        Admit(store, id, policy);
    }
    var firstNs = first.Elapsed.TotalMilliseconds * 1e6 / count;
    var memory = GC.GetTotalMemory(true) - before;

    // 1,000,000 admissions spread over the keys; the buckets hold 20 requests, so each key is used at most 20 times.
    var rounds = Math.Min(20, Math.Max(1, 1_000_000 / count));
    var clock = Stopwatch.StartNew();
    for (var r = 1; r < rounds; r++)
    {
        foreach (var id in ids)
        {
            Admit(store, id, policy);
        }
    }
    var admitNs = rounds > 1 ? clock.Elapsed.TotalMilliseconds * 1e6 / ((rounds - 1L) * count) : double.NaN;
    Console.WriteLine($"| {count:N0} | {memory / 1024.0 / 1024.0:F1} MiB | {memory / (double)count:F0} B | {admitNs:F0} ns | {firstNs:F0} ns |");
    GC.KeepAlive(store);
}

static void Admit(MemoryLimitStore store, string id, LimitPolicy policy)
{
    var entry = store.Enter(new LimitRequest(id, policy, 100_000));
    var admission = entry.Ticket is { } entered ? entered.ReserveTokensAsync(500).AsTask().GetAwaiter().GetResult() : entry;
    if (admission.Ticket is not { } ticket)
    {
        throw new InvalidOperationException($"{id} refused: {admission.Rejection.Kind}");
    }
    ticket.Complete(300);
}
