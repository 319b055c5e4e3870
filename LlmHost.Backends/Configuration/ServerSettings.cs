namespace LlmHost.Backends.Configuration;

/// <summary>Limits of the gateway's HTTP server against slow or numerous connections.</summary>
public sealed class ServerSettings
{
    /// <summary>Open client connections at most; more are closed at once.</summary>
    public int MaxConnections { get; set; } = 4096;

    /// <summary>
    /// Slowest request body accepted, in bytes per second, after a 5 s grace period: a client that sends slower is
    /// disconnected (408) instead of holding a connection and a buffer.
    /// </summary>
    public int MinRequestBodyRate { get; set; } = 4096;

    /// <summary>Longest time to receive a request's headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest time to receive a completion request's whole body (408 after it): the rate check alone lets a client
    /// that sent fast at first then stall hold its buffer for as long as its average stays above the rate.
    /// </summary>
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
