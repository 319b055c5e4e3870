using LlmHost.AppHost.Hosting.Gateway;

namespace LlmHost.AppHost.Stack;

/// <summary>
/// Stage 3: the gateway replicas, each given the config and key files and wired to the backends and the limit store.
/// Without an edge, the first answers on the edge's port itself (unproxied, so that it sees the clients' addresses).
/// </summary>
internal static class GatewaysStage
{
    public static void Add(StackContext context)
    {
        var replicas = context.Config.Gateway.Replicas;
        var scrapedFromContainers = context.Edge.Placement == Placement.Container || context.Prometheus.Placement == Placement.Container;
        if (context.Config.Backends.Count > 0)
        {
            context.TestChat = (context.Config.Backends[0].EffectiveServedModelName,
                context.Builder.AddParameter(GatewayDashboardBuilderExtensions.TestChatKeyParameter, GatewayDashboardBuilderExtensions.DevelopmentKey, secret: true));
        }
        for (var i = 0; i < replicas; i++)
        {
            var name = replicas == 1 ? LlmHostStack.GatewayName : $"{LlmHostStack.GatewayName}-{i + 1}";
            var port = context.Edge.Placement == Placement.LeftOut && i == 0 ? context.EdgePort : null;
            var gateway = context.Builder.AddProject<Projects.LlmHost_Gateway>(name)
                .WithHttpEndpoint(port: port, name: "http", isProxied: port is null)
                .WithHttpHealthCheck("/health")
                .WithArgs("--config", context.ConfigPath, "--keys", context.KeysPath)
                .WithOpenAIBaseUrl();
            if (context.TestChat is var (model, key))
            {
                gateway.WithTestChatCommand(model, key);
            }
            if (scrapedFromContainers)
            {
                gateway.WithArgs("--metrics-allow", LlmHostStack.ContainerNetworks);
            }
            foreach (var wire in context.GatewayWiring)
            {
                wire(gateway);
            }
            context.Resources.Gateways.Add(gateway);
        }
    }
}
