using System.Diagnostics;

namespace LlmHost.Tests.Infrastructure;

/// <summary>Polls a condition every 50 ms until it holds or the time is up (for reloads and other background work).</summary>
public static class Eventually
{
    public static Task<bool> TrueWithinAsync(Func<bool> condition, TimeSpan timeout) =>
        TrueWithinAsync(() => Task.FromResult(condition()), timeout);

    public static async Task<bool> TrueWithinAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(50);
        }
        return await condition();
    }
}
