namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// What the access log learns of a request through the outcome channel (<see cref="AccessLogObserver"/>): set by the
/// access-log middleware as an HttpContext feature, read when the line is written.
/// </summary>
public sealed class RequestLogFeature
{
    /// <summary>The limit or check that refused the request (a rejection reason label), if one did.</summary>
    public string? Rejection { get; set; }

    /// <summary>The forwarded request's measurement: backend, tokens, time to first token, response bytes.</summary>
    public Metering.CompletionMeasurement? Measurement { get; set; }
}
