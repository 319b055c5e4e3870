using System.Diagnostics;
using System.Text;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Tokens;
using Microsoft.ML.Tokenizers;

// The time PromptEstimator takes on the worst bodies a client can send within the default 16 MiB limit, with the
// o200k_base tokenizer and with the character estimate (no tokenizer configured). Each case is warmed up, then
// timed over several runs; the table shows the median and the slowest run.
const int Size = 16 * 1024 * 1024 - 64;
var runs = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 7;
var counters = new (string Name, ITokenCounter Counter)[]
{
    ("o200k_base", new TokenizerCounter("o200k_base", TiktokenTokenizer.CreateForEncoding("o200k_base"))),
    ("estimate", CharacterClassTokenCounter.Instance),
};
var reservation = TokenReservation.For(16, null, null, null, 32768, 4096, generates: true);
var media = new MediaTokens();

Console.WriteLine($"PromptEstimator on bodies of {Size / 1048576.0:F0} MiB, {runs} runs each after a warm-up, {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| body | counter | median ms | max ms | prompt tokens |");
Console.WriteLine("|---|---|---:|---:|---:|");
foreach (var (name, body) in Bodies())
{
    foreach (var (counterName, counter) in counters)
    {
        PromptEstimator.Estimate(body, counter, reservation, media);
        var times = new List<double>();
        var tokens = 0;
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            tokens = PromptEstimator.Estimate(body, counter, reservation, media).PromptTokens;
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"| {name} | {counterName} | {times[times.Count / 2]:F1} | {times[^1]:F1} | {tokens:N0} |");
    }
}

static IEnumerable<(string Name, byte[] Body)> Bodies()
{
    byte[] Chat(string content) => Encoding.UTF8.GetBytes($$"""{"model":"m","messages":[{"role":"user","content":"{{content}}"}]}""");
    string Fill(string unit) => new StringBuilder(Size).Insert(0, unit, (Size - 80) / unit.Length).ToString();

    yield return ("one word of 16 MiB", Chat(new string('a', Size - 80)));
    yield return ("English prose", Chat(Fill("Operators put the gateway in front of their inference servers. ")));
    yield return ("whitespace", Chat(new string(' ', Size - 80)));
    yield return ("escapes (\\n\\u00e9)", Chat(Fill("\\n\\u00e9a")));
    yield return ("CJK without spaces", Chat(Fill("模型网关推理服务器")));
    yield return ("4 million one-letter prompts", Encoding.UTF8.GetBytes("{\"model\":\"m\",\"prompt\":[" + string.Join(",", Enumerable.Repeat("\"a\"", (Size - 40) / 4)) + "]}"));
    yield return ("500,000 messages", Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[" + string.Join(",", Enumerable.Repeat("{\"role\":\"user\",\"content\":\"hello\"}", 500_000)) + "]}"));
    yield return ("token ids", Encoding.UTF8.GetBytes("{\"model\":\"m\",\"prompt\":[" + string.Join(",", Enumerable.Repeat("12345", (Size - 40) / 6)) + "]}"));
    yield return ("tools schema", Encoding.UTF8.GetBytes("{\"model\":\"m\",\"messages\":[],\"tools\":[" + string.Join(",", Enumerable.Repeat("{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}", 220_000)) + "]}"));
}
