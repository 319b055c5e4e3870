namespace LlmHost.Gateway.Metering;

/// <summary>
/// The one channel by which the outcome of a request leaves the request path: metrics, per-key usage, tracing and
/// the access log all listen here, and the proxy fills no sink by hand. Called on the request's own thread; an
/// observer must be quick and must not throw.
/// </summary>
public interface IRequestObserver
{
    /// <summary>The gateway refused the request for its key: a limit said no, or the key may not use the model.</summary>
    void OnRejected(HttpContext context, RequestRejection rejection);

    /// <summary>A request that reached its backend ended (answered, failed, or cut short by the client).</summary>
    void OnCompleted(HttpContext context, CompletionMeasurement measurement);
}
