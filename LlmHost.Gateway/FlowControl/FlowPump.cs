namespace LlmHost.Gateway.FlowControl;

/// <summary>
/// Lets queued requests through as engine reads show room, between request ends (which pump at once): an engine can
/// free slots for requests of other gateways, and a stale read can give way to the gateway's own counts.
/// </summary>
public sealed class FlowPump(FlowController flow) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                flow.Pump();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
