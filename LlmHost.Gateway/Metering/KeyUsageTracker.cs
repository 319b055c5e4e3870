using System.Collections.Concurrent;
using LlmHost.Gateway.Authentication;

namespace LlmHost.Gateway.Metering;

/// <summary>Requests, tokens and rejections per key since the gateway started, for <c>GET /admin/usage</c>.</summary>
public sealed class KeyUsageTracker : IRequestObserver
{
    private readonly ConcurrentDictionary<string, KeyUsage> _usage = new(StringComparer.Ordinal);

    public void OnCompleted(HttpContext context, CompletionMeasurement measurement)
    {
        if (context.GetApiKey() is not { } key)
        {
            return;
        }
        var usage = _usage.GetOrAdd(key.Id, static _ => new KeyUsage());
        Interlocked.Increment(ref usage.Requests);
        if (measurement.ClientGone)
        {
            Interlocked.Increment(ref usage.Aborted);
        }
        else if (measurement.Status >= 400)
        {
            Interlocked.Increment(ref usage.Errors);
        }
        Interlocked.Add(ref usage.PromptTokens, measurement.PromptTokens);
        Interlocked.Add(ref usage.CompletionTokens, measurement.CompletionTokens);
    }

    public void OnRejected(HttpContext context, RequestRejection rejection) =>
        Interlocked.Increment(ref _usage.GetOrAdd(rejection.KeyId, static _ => new KeyUsage()).Rejections);

    public IReadOnlyDictionary<string, KeyUsage> Snapshot() => _usage;

    public sealed class KeyUsage
    {
        public long Requests;
        public long Errors;

        /// <summary>Requests whose client went away before the answer was complete (499): not errors.</summary>
        public long Aborted;
        public long Rejections;
        public long PromptTokens;
        public long CompletionTokens;
    }
}
