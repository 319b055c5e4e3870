namespace LlmHost.AppHost.Hosting.Prometheus;

/// <summary>
/// Prometheus as a local executable (<see cref="PrometheusExecutableResource"/>) or a container
/// (<see cref="PrometheusResource"/>); they differ in how they reach the targets on the host.
/// </summary>
public interface IPrometheusResource : IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>Where its prometheus.yml (and, for the executable, its data) go.</summary>
    string ConfigDirectory { get; }

    EndpointReference HttpEndpoint { get; }

    /// <summary>A target's <c>host:port</c> as this Prometheus reaches it.</summary>
    string Target(string hostPort);
}
