using System.Diagnostics;
using System.Globalization;
using System.Text;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Routing.Prefix;

// What prefix_aware adds to a request, measured as the gateway does it: hash the prompt's chunks, match them on each
// of N instances, record them on the chosen one. Chat bodies of several prompt sizes (a 32k-token prompt is ~128 KiB
// of JSON), instances whose indexes already hold many other prompts, the shipped settings. Median and p99 of single
// requests after a warm-up, one thread.
var instances = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
var settings = new PrefixRoutingSettings();
var candidates = Enumerable.Range(0, instances)
    .Select(i => new BackendInstance(new BackendSettings { Name = $"e{i}", Engine = "vllm" }, $"e{i}", new Uri($"http://e{i}:8000/"), null, TimeSpan.FromSeconds(5), settings.IndexChunks))
    .ToArray();
var model = "\"llama\""u8.ToArray();
// Fill every index the way traffic would: many tenants' prompts.
for (var tenant = 0; tenant < 2000; tenant++)
{
    using var chunks = PromptChunks.Of(Encoding.UTF8.GetBytes(Messages(tenant, 8 * 1024)), model, settings.ChunkBytes, settings.MaxChunks);
    candidates[tenant % instances].Prefixes.Record(chunks.Hashes);
}

Console.WriteLine($"prefix_aware per request: {instances} instances, chunks of {settings.ChunkBytes} bytes (at most {settings.MaxChunks}), index of {settings.IndexChunks} chunks each, {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| prompt | body | chunks | median µs | p99 µs |");
Console.WriteLine("|---|---:|---:|---:|---:|");
// Warm-up: every size through the whole path for a few seconds, so tiered compilation has settled (as in a gateway
// that has run for a while) before anything is timed.
var warmUp = Stopwatch.StartNew();
for (var round = 0; warmUp.Elapsed < TimeSpan.FromSeconds(5); round++)
{
    foreach (var tokens in new[] { 1_000, 8_000, 32_000 })
    {
        using var chunks = PromptChunks.Of(Encoding.UTF8.GetBytes(Messages(round, tokens * 4)), model, settings.ChunkBytes, settings.MaxChunks);
        candidates[BackendSelector.PickByPrefix(candidates, chunks.Hashes, settings)].Prefixes.Record(chunks.Hashes);
    }
}
foreach (var tokens in new[] { 1_000, 8_000, 32_000 })
{
    // About four bytes of JSON per token of English text.
    var bodies = Enumerable.Range(0, 64).Select(i => Encoding.UTF8.GetBytes(Messages(10_000 + i, tokens * 4))).ToArray();
    var times = new List<double>();
    var count = 0;
    for (var round = 0; round < 40; round++)
    {
        foreach (var body in bodies)
        {
            var started = Stopwatch.GetTimestamp();
            using (var chunks = PromptChunks.Of(body, model, settings.ChunkBytes, settings.MaxChunks))
            {
                var index = BackendSelector.PickByPrefix(candidates, chunks.Hashes, settings);
                candidates[index].Prefixes.Record(chunks.Hashes);
                count = chunks.Count;
            }
            if (round >= 10)
            {
                times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
        }
    }
    times.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {tokens / 1000}k tokens | {bodies[0].Length / 1024} KiB | {count} | {times[times.Count / 2]:F1} | {times[(int)(times.Count * 0.99)]:F1} |"));
}

// A messages list of about `bytes` bytes: a tenant's system prompt, then a question.
static string Messages(int tenant, int bytes)
{
    var text = new StringBuilder(bytes + 100);
    text.Append("[{\"role\":\"system\",\"content\":\"");
    var random = new Random(tenant);
    while (text.Length < bytes)
    {
        text.Append("word").Append(random.Next(10_000)).Append(' ');
    }
    return text.Append("\"},{\"role\":\"user\",\"content\":\"What now?\"}]").ToString();
}
