using System.Diagnostics;
using System.Net;

namespace LlmHost.Tests.Infrastructure;

/// <summary>Closed-loop load for the limit tests: N clients send back to back for a bounded time.</summary>
public static class LoadRunner
{
    /// <summary>
    /// Requests started within <paramref name="duration"/> by <paramref name="clients"/> concurrent loops; counts the
    /// 200s and 429s (anything else fails the test). <paramref name="onAdmitted"/> reads each admitted response.
    /// </summary>
    public static async Task<(int Admitted, int Refused)> RunAsync(HttpClient client, int clients, TimeSpan duration, Func<HttpContent> body,
        Func<HttpResponseMessage, Task>? onAdmitted = null)
    {
        var admitted = 0;
        var refused = 0;
        var clock = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                using var response = await client.PostAsync("/v1/chat/completions", body());
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref admitted);
                    if (onAdmitted is not null)
                    {
                        await onAdmitted(response);
                    }
                    else
                    {
                        await response.Content.ReadAsStringAsync();
                    }
                }
                else if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref refused);
                }
                else
                {
                    Assert.Fail($"unexpected {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        }));
        await Task.WhenAll(loops);
        return (admitted, refused);
    }
}
