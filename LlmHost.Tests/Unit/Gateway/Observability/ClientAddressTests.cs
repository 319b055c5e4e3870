using System.Net;
using LlmHost.Gateway.Observability.AccessLogging;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Unit.Gateway.Observability;

[Trait("Category", "Unit")]
public class ClientAddressTests
{
    private static readonly ClientAddress Resolver = new([IPAddress.Loopback, IPAddress.Parse("10.0.0.2")]);

    private static string? Resolve(string peer, params string[] forwardedFor)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        if (forwardedFor.Length > 0)
        {
            context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }
        return Resolver.Resolve(context);
    }

    [Fact]
    public void Resolve_UntrustedPeer_IgnoresTheHeader() =>
        Assert.Equal("203.0.113.5", Resolve("203.0.113.5", "198.51.100.1"));

    [Fact]
    public void Resolve_TrustedPeer_TakesTheRightMostUntrustedHop() =>
        Assert.Equal("198.51.100.7", Resolve("127.0.0.1", "203.0.113.9, 198.51.100.7, 10.0.0.2"));

    [Fact]
    public void Resolve_SeveralHeaderValues_ReadsTheLastFirst() =>
        Assert.Equal("198.51.100.8", Resolve("127.0.0.1", "203.0.113.9", "198.51.100.8 ,"));

    [Fact]
    public void Resolve_GarbageHop_FallsBackToThePeer() =>
        Assert.Equal("127.0.0.1", Resolve("127.0.0.1", "203.0.113.9, not-an-ip"));

    [Fact]
    public void Resolve_OnlyTrustedHops_IsThePeer() =>
        Assert.Equal("127.0.0.1", Resolve("::ffff:127.0.0.1", "10.0.0.2"));
}
