namespace LlmHost.Backends.Configuration;

/// <summary>
/// <c>routing.flow_control</c>: when every instance of a model is saturated, requests wait in a gateway queue — served
/// by priority class, keys in turn by weight — and are sent to an instance as it frees up, instead of piling into the
/// engines' own queues. Off by default.
/// </summary>
public sealed class FlowControlSettings
{
    public bool Enabled { get; set; }

    /// <summary>An instance is saturated once its engine has this many requests waiting (scraped, plus those sent since).</summary>
    public int QueueDepthThreshold { get; set; } = 4;

    /// <summary>…or once its KV cache is this full (0–1) and requests keep arriving.</summary>
    public double KvCacheThreshold { get; set; } = 0.9;

    /// <summary>At most this many of the gateway's requests in flight per instance; 0: no cap (engine metrics decide).</summary>
    public int MaxInFlightPerInstance { get; set; }

    /// <summary>
    /// At most this many prompt tokens (estimated) in prefill per instance from this gateway; 0: no cap. Long prompts
    /// then start one after another instead of sharing the engine's prefill with each other and with what comes next.
    /// </summary>
    public int MaxPrefillTokensPerInstance { get; set; }

    /// <summary>
    /// The last this-many requests a model's instances have room for go only to keys with fewer requests in flight than
    /// the key with the most (or none): room kept for light tenants while a heavy one floods. 0: none kept.
    /// </summary>
    public int Headroom { get; set; }

    /// <summary>Requests waiting per model at most; more are refused with 429.</summary>
    public int MaxQueued { get; set; } = 1000;

    /// <summary>Requests of one key waiting per model at most (a tenant's flood fills its own share, not the queue).</summary>
    public int MaxQueuedPerKey { get; set; } = 100;

    /// <summary>The longest a request waits in the queue before it is refused with 429 (503 when no instance is healthy).</summary>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A lower class whose oldest request has waited this long gets one dispatch in four (no starvation).</summary>
    public TimeSpan StarvationAfter { get; set; } = TimeSpan.FromSeconds(5);
}
