using LlmHost.Gateway.Metering;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>Puts a request's outcome on its access-log feature, for the line the middleware writes at the end.</summary>
public sealed class AccessLogObserver : IRequestObserver
{
    public void OnRejected(HttpContext context, RequestRejection rejection) => context.Features.Get<RequestLogFeature>()?.Rejection = rejection.Reason;

    public void OnCompleted(HttpContext context, CompletionMeasurement measurement) => context.Features.Get<RequestLogFeature>()?.Measurement = measurement;
}
