namespace LlmHost.AppHost.Hosting.Nginx;

/// <summary>
/// The edge in front of the gateways: Nginx as a local executable (<see cref="NginxExecutableResource"/>) or as a
/// container (<see cref="NginxResource"/>). What differs between the two is how it listens and reaches the gateways.
/// </summary>
public interface INginxResource : IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>Where its nginx.conf is rendered.</summary>
    string ConfigDirectory { get; }

    EndpointReference HttpEndpoint { get; }

    /// <summary>The <c>listen</c> address of nginx.conf, once the endpoint is allocated.</summary>
    Task<string> ListenAsync(CancellationToken cancellationToken);

    /// <summary>How this Nginx reaches a gateway (an <c>upstream</c> server).</summary>
    string Upstream(EndpointReference gateway);

    /// <summary>The folder nginx.conf names for its pid file and temp files.</summary>
    string RunDirectoryInConfig { get; }
}
