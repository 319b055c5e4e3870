using System.Collections.Concurrent;
using LlmHost.Gateway.Metering;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Infrastructure;

/// <summary>Keeps every outcome the gateway hands to its observers.</summary>
public sealed class RecordingObserver : IRequestObserver
{
    public ConcurrentQueue<CompletionMeasurement> Measurements { get; } = new();

    public ConcurrentQueue<RequestRejection> Rejections { get; } = new();

    public void OnRejected(HttpContext context, RequestRejection rejection) => Rejections.Enqueue(rejection);

    public void OnCompleted(HttpContext context, CompletionMeasurement measurement) => Measurements.Enqueue(measurement);

    public CompletionMeasurement Last => Measurements.Last();
}
