using System.Net;
using LlmHost.Gateway.Observability;

namespace LlmHost.Tests.Unit.Gateway.Observability;

[Trait("Category", "Unit")]
public class MetricsAccessTests
{
    private static readonly string[] Shipped = new LlmHost.Backends.Configuration.GatewaySettings().MetricsAllow.ToArray();

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.1.2.3", false)]
    [InlineData("172.17.0.2", false)]
    [InlineData("192.168.1.20", false)]
    [InlineData("203.0.113.9", false)]
    [InlineData("2001:db8::1", false)]
    public void Allows_ShippedNetworks_LoopbackOnly(string address, bool allowed) =>
        Assert.Equal(allowed, new MetricsAccess(Shipped).Allows(IPAddress.Parse(address)));

    [Theory]
    [InlineData("172.17.0.1", true)]
    [InlineData("192.168.65.1", true)]
    [InlineData("10.88.0.1", true)]
    [InlineData("203.0.113.9", false)]
    public void Allows_WithTheAppHostsContainerNetworks_ContainerPeers(string address, bool allowed) =>
        Assert.Equal(allowed, new MetricsAccess([.. Shipped, .. LlmHost.AppHost.Stack.LlmHostStack.ContainerNetworks.Split(',')]).Allows(IPAddress.Parse(address)));

    [Fact]
    public void Allows_EmptyList_Anyone() => Assert.True(new MetricsAccess([]).Allows(IPAddress.Parse("203.0.113.9")));

    [Fact]
    public void Allows_SingleAddress_OnlyThatOne()
    {
        var access = new MetricsAccess(["198.51.100.7"]);
        Assert.True(access.Allows(IPAddress.Parse("198.51.100.7")));
        Assert.False(access.Allows(IPAddress.Parse("198.51.100.8")));
    }
}
