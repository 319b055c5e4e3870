using System.Diagnostics;
using System.Text.Json;
using LlmHost.Gateway.Keys;

// For each key count: write a key file, load + index it 5 times (median), then time 1,000,000 lookups of known
// secrets spread over the whole file, and 1,000,000 lookups of unknown ones.
var counts = args.Length > 0 ? args.Select(int.Parse).ToArray() : [1_000, 100_000];
Console.WriteLine("| keys | file size | load + index (median of 5) | lookup, known secret | lookup, unknown secret | managed memory of the index |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
foreach (var count in counts)
{
    var secrets = new string[count];
    var file = new ApiKeyFile();
    for (var i = 0; i < count; i++)
    {
        secrets[i] = ApiKeySecret.Generate($"k{i}");
        file.Keys.Add(new ApiKeyEntry
        {
            Id = $"k{i}",
            Name = $"Key {i}",
            KeySha256 = Sha256Hash.Of(secrets[i]).ToHex(),
            Models = ["qwen*", "llama-3.1-8b-instruct"],
            Limits = new KeyLimitsEntry { Qps = 10, Tpm = 100_000 },
            CreatedAt = DateTimeOffset.UtcNow,
        });
    }
    var path = Path.Combine(Path.GetTempPath(), $"llmhost-keys-{count}.json");
    File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(file, ApiKeyJsonContext.Default.ApiKeyFile));

    var loads = new List<double>();
    ApiKeySnapshot? snapshot = null;
    long memory = 0;
    for (var run = 0; run < 5; run++)
    {
        snapshot = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(true);
        var clock = Stopwatch.StartNew();
        snapshot = LoadSnapshot(path);
        loads.Add(clock.Elapsed.TotalMilliseconds);
        memory = GC.GetTotalMemory(true) - before;
    }
    loads.Sort();

    const int Lookups = 1_000_000;
    var now = DateTimeOffset.UtcNow;
    var known = Stopwatch.StartNew();
    for (var i = 0; i < Lookups; i++)
    {
        if (snapshot!.Lookup(secrets[(int)((uint)(i * 7919) % (uint)count)], now, out _) != KeyLookupStatus.Valid)
        {
            throw new InvalidOperationException("lookup failed");
        }
    }
    var knownNs = known.Elapsed.TotalMilliseconds * 1e6 / Lookups;
    var unknownSecret = ApiKeySecret.Generate("nobody");
    var unknown = Stopwatch.StartNew();
    for (var i = 0; i < Lookups; i++)
    {
        snapshot!.Lookup(unknownSecret, now, out _);
    }
    var unknownNs = unknown.Elapsed.TotalMilliseconds * 1e6 / Lookups;
    Console.WriteLine($"| {count:N0} | {new FileInfo(path).Length / 1024.0 / 1024.0:F1} MiB | {loads[2]:F0} ms | {knownNs:F0} ns | {unknownNs:F0} ns | {memory / 1024.0 / 1024.0:F1} MiB |");
    File.Delete(path);
}

// Only the snapshot survives, as in the gateway: the parsed file is garbage once the keys are indexed.
[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
static ApiKeySnapshot LoadSnapshot(string path)
{
    var result = ApiKeyFileLoader.Load(File.ReadAllBytes(path));
    return result.Errors.Count == 0 ? new ApiKeySnapshot(result.Keys) : throw new InvalidOperationException(string.Join("; ", result.Errors));
}
