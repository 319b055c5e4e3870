namespace LlmHost.Gateway.Metering;

/// <summary>Told once per forwarded request, after the answer was sent; limits and observability hook in here.</summary>
public interface IRequestObserver
{
    void OnRequestCompleted(HttpContext context, CompletionMeasurement measurement);
}
