using System.Net;
using System.Net.Sockets;

namespace LlmHost.Tests.Infrastructure;

/// <summary>A loopback port that nothing listens on now, for programs that must be told their port up front.</summary>
public static class FreePort
{
    public static int Next()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
