namespace LlmHost.AppHost.Hosting.Redis;

/// <summary>
/// Debian's <c>redis-server</c> run by the AppHost, with a connection string like Aspire's Redis container's, so that
/// a gateway references either the same way (<c>ConnectionStrings__NAME</c>).
/// </summary>
public sealed class RedisExecutableResource(string name, string command, string directory)
    : ExecutableResource(name, command, directory), IResourceWithConnectionString
{
    public EndpointReference TcpEndpoint => field ??= new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{TcpEndpoint.Property(EndpointProperty.HostAndPort)}");
}
