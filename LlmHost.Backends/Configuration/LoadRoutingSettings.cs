namespace LlmHost.Backends.Configuration;

/// <summary><c>routing.load</c>: how the gateway reads the engines' own load for <c>load_aware</c> and <c>prefix_aware</c>.</summary>
public sealed class LoadRoutingSettings
{
    /// <summary>How often each engine's <c>/metrics</c> is read (running and waiting requests, KV-cache usage).</summary>
    public TimeSpan ScrapeInterval { get; set; } = TimeSpan.FromSeconds(1);
}
