namespace LlmHost.Gateway.FlowControl;

public static class FlowControlServiceCollectionExtensions
{
    /// <summary>Flow control: per-model queues in front of saturated engines, the pump that empties them, and (with Redis) their shared turns.</summary>
    public static IHostApplicationBuilder AddFlowControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FlowController>();
        builder.Services.AddHostedService<FlowPump>();
        builder.Services.AddHostedService<SharedTurnsSync>();
        return builder;
    }
}
