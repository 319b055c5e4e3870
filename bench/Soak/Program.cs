using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// Soak: clients send a mix of plain and streamed chat completions for a while, some of them going away half way
// (after the first chunk of a stream, or 50 ms into a plain request). Reports every status, the 5xx, whatever the
// gateway still holds afterwards (leases, reservations), and its resident memory over time.
//   Soak <gateway-url> <user-key> <admin-key> <gateway-pid> <seconds> <clients> <warm-up-seconds>
var (url, key, adminKey) = (args[0], args[1], args[2]);
var pid = int.Parse(args[3], CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(int.Parse(args[4], CultureInfo.InvariantCulture));
var clients = int.Parse(args[5], CultureInfo.InvariantCulture);
var warmUp = TimeSpan.FromSeconds(int.Parse(args[6], CultureInfo.InvariantCulture));

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
var statuses = new ConcurrentDictionary<string, long>();
var rss = new List<(double Seconds, long Bytes)>();
var clock = Stopwatch.StartNew();
var end = DateTime.UtcNow + duration;

long Resident()
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }
    return 0;
}

void Count(string outcome) => statuses.AddOrUpdate(outcome, 1, (_, n) => n + 1);

async Task ClientAsync(int id)
{
    var random = new Random(id);
    while (DateTime.UtcNow < end)
    {
        var kind = random.Next(10);
        var stream = kind is >= 4 and < 9;
        var body = $$"""{"model":"m","messages":[{"role":"user","content":"soak {{id}} {{random.Next()}} {{new string('x', random.Next(10, 2000))}}"}],"max_tokens":{{random.Next(4, 64)}},"stream":{{(stream ? "true" : "false")}}}""";
        using var abort = new CancellationTokenSource();
        if (kind == 9)
        {
            abort.CancelAfter(50);
        }
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
            var code = (int)response.StatusCode;
            await using var content = await response.Content.ReadAsStreamAsync(abort.Token);
            var buffer = new byte[4096];
            var read = await content.ReadAsync(buffer, abort.Token);
            if (kind == 8 && read > 0)
            {
                Count("aborted mid-stream");
                continue;
            }
            while (read > 0)
            {
                read = await content.ReadAsync(buffer, abort.Token);
            }
            Count(code.ToString(CultureInfo.InvariantCulture));
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            Count("aborted");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            Count($"error: {ex.GetType().Name}");
        }
    }
}

var load = Task.WhenAll(Enumerable.Range(0, clients).Select(ClientAsync));
while (!load.IsCompleted)
{
    await Task.WhenAny(load, Task.Delay(10_000));
    var sample = (clock.Elapsed.TotalSeconds, Resident());
    rss.Add(sample);
    Console.Error.WriteLine($"{sample.TotalSeconds,6:F0} s  RSS {sample.Item2 >> 20} MiB  {string.Join("  ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}");
}
await load;
await Task.Delay(3000);

using var admin = new HttpClient { BaseAddress = new Uri(url) };
admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
var limits = JsonDocument.Parse(await admin.GetStringAsync("/admin/limits")).RootElement;
var held = limits.GetProperty("keys").EnumerateArray().Sum(k => k.GetProperty("active_leases").GetInt32() + k.GetProperty("open_reservations").GetInt32())
    + limits.GetProperty("global_active_leases").GetInt32();
var afterWarmUp = rss.Where(r => r.Seconds >= warmUp.TotalSeconds).Select(r => r.Bytes).ToList();
var first = afterWarmUp.FirstOrDefault();
var last = afterWarmUp.LastOrDefault();
var server5xx = statuses.Where(s => s.Key.StartsWith('5')).Sum(s => s.Value);
var total = statuses.Values.Sum();

Console.WriteLine($"| requests | {total:N0} |");
Console.WriteLine($"| outcomes | {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value:N0}"))} |");
Console.WriteLine($"| 5xx | {server5xx} |");
Console.WriteLine($"| leases and reservations held after the run | {held} |");
Console.WriteLine($"| RSS after warm-up ({warmUp.TotalSeconds:F0} s) → end | {first >> 20} MiB → {last >> 20} MiB ({(first == 0 ? 0 : (last - first) * 100.0 / first):+0.0;-0.0} %), max {(afterWarmUp.Count == 0 ? 0 : afterWarmUp.Max() >> 20)} MiB |");
var flat = first > 0 && Math.Abs(last - first) <= first / 10;
Console.WriteLine($"| verdict | {(server5xx == 0 && held == 0 && flat ? "pass" : "FAIL")} |");
return server5xx == 0 && held == 0 && flat ? 0 : 1;
