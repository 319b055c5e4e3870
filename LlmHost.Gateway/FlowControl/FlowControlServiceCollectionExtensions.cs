namespace LlmHost.Gateway.FlowControl;

public static class FlowControlServiceCollectionExtensions
{
    /// <summary>Flow control: per-model queues in front of saturated engines, and the pump that empties them.</summary>
    public static IHostApplicationBuilder AddFlowControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FlowController>();
        builder.Services.AddHostedService<FlowPump>();
        return builder;
    }
}
