using System.Diagnostics;

namespace LlmHost.Gateway.Observability;

/// <summary>
/// The request's span when a tracer records it for export. Without an OTLP endpoint ASP.NET Core still starts an
/// <see cref="Activity"/> per request (for log correlation) that says it wants all data but has no listener: tags put on
/// it would cost every request a dozen allocations for nothing.
/// </summary>
public static class ExportedSpan
{
    public static Activity? Current => Activity.Current is { IsAllDataRequested: true } activity && activity.Source.HasListeners() ? activity : null;
}
