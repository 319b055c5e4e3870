namespace LlmHost.Gateway.Metering;

/// <summary>Tells every <see cref="IRequestObserver"/> how a request ended.</summary>
public sealed class RequestOutcomes(IEnumerable<IRequestObserver> observers)
{
    private readonly IRequestObserver[] _observers = [.. observers];

    public void Rejected(HttpContext context, string keyId, string reason)
    {
        var rejection = new RequestRejection(keyId, reason);
        foreach (var observer in _observers)
        {
            observer.OnRejected(context, rejection);
        }
    }

    public void Completed(HttpContext context, CompletionMeasurement measurement)
    {
        foreach (var observer in _observers)
        {
            observer.OnCompleted(context, measurement);
        }
    }
}
