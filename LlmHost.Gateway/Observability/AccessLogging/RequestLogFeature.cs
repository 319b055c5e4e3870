using LlmHost.Gateway.Metering;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// What the completion path learnt about a request, for its access-log line: set by the access-log middleware as an
/// HttpContext feature, filled in by the proxy when the request gets that far.
/// </summary>
public sealed class RequestLogFeature
{
    public string? Model { get; set; }

    /// <summary>Bytes of the request body the gateway read.</summary>
    public long RequestBytes { get; set; }

    /// <summary>The limit or check that refused the request (a rejection reason label), if one did.</summary>
    public string? Rejection { get; set; }

    /// <summary>The forwarded request's measurement: backend, tokens, time to first token, response bytes.</summary>
    public CompletionMeasurement? Measurement { get; set; }

    /// <summary>The client went away before its answer was complete: the line says 499.</summary>
    public bool ClientGone { get; set; }

    /// <summary>Only for a key with <c>log_bodies</c>: the beginning of the request body.</summary>
    public BodyCapture? RequestBody { get; set; }
}
