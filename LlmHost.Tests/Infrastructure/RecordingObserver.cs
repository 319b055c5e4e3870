using System.Collections.Concurrent;
using LlmHost.Gateway.Metering;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Infrastructure;

/// <summary>Keeps every measurement the gateway hands to its observers.</summary>
public sealed class RecordingObserver : IRequestObserver
{
    public ConcurrentQueue<CompletionMeasurement> Measurements { get; } = new();

    public void OnRequestCompleted(HttpContext context, CompletionMeasurement measurement) => Measurements.Enqueue(measurement);

    public CompletionMeasurement Last => Measurements.Last();
}
