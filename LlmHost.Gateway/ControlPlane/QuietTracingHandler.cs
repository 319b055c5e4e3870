using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace LlmHost.Gateway.ControlPlane;

/// <summary>
/// Keeps the control plane's calls to the engines out of the traces (unless <c>logging.trace_control_plane</c>): a
/// health probe, a discovery poll or a metrics read every few seconds per engine would bury the client requests'
/// traces in the dashboard. Their failures are still logged and counted (Polly's and the gateway's metrics).
/// </summary>
public sealed class QuietTracingHandler(IOptionsMonitor<LlmHostConfig> config) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (config.CurrentValue.Logging.TraceControlPlane)
        {
            return await base.SendAsync(request, cancellationToken);
        }
        using var quiet = SuppressInstrumentationScope.Begin();
        return await base.SendAsync(request, cancellationToken);
    }
}
