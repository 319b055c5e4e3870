using LlmHost.AppHost.Hosting.Gateway;
using LlmHost.AppHost.Hosting.Nginx;

namespace LlmHost.AppHost.Stack;

/// <summary>Stage 4: Nginx in front of the gateway replicas, on the edge's port.</summary>
internal static class EdgeStage
{
    /// <summary>Decided before the gateways are added: without an edge, a gateway takes the edge's port.</summary>
    public static PlacementChoice Plan(StackContext context) =>
        PlacementLadder.Choose(context, LlmHostStack.Wanted(context.Options.Nginx, context.Config.Edge.Enabled), "nginx", "nginx");

    public static void Add(StackContext context)
    {
        var template = Path.Combine(context.RepositoryRoot, "nginx", "nginx.conf.template");
        var settings = new NginxSettings(context.Config.Gateway.MaxRequestBodyBytes, context.Config.Edge.MetricsAllow);
        var gateways = context.Resources.Gateways;
        var where = context.EdgePort?.ToString() ?? "chosen at start";
        var builder = context.Builder;
        switch (context.Edge.Placement)
        {
            case Placement.Executable:
                context.Resources.Edge = WithTestChat(context, builder.AddNginxExecutable(LlmHostStack.EdgeName, context.Edge.ExecutablePath!, context.RunDirectory, context.EdgePort)
                    .WithGatewayUpstreams(template, gateways, settings)).Resource;
                context.Notice($"nginx: {context.Edge.Reason}, listening on port {where}");
                break;
            case Placement.Container:
                context.Resources.Edge = WithTestChat(context, builder.AddNginx(LlmHostStack.EdgeName, context.RunDirectory, context.EdgePort)
                    .WithGatewayUpstreams(template, gateways, settings)).Resource;
                context.Notice($"nginx: {context.Edge.Reason} on port {where}");
                break;
            default:
                context.Notice($"nginx: left out — {context.Edge.Reason}; the gateway answers clients itself on port {where}");
                break;
        }
    }

    private static IResourceBuilder<T> WithTestChat<T>(StackContext context, IResourceBuilder<T> edge) where T : IResourceWithEndpoints =>
        context.TestChat is var (model, key) ? edge.WithTestChatCommand(model, key, "the edge (Nginx) and a gateway") : edge;
}
