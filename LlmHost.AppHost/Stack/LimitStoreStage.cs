using LlmHost.AppHost.Hosting.Redis;

namespace LlmHost.AppHost.Stack;

/// <summary>
/// Stage 2, for <c>limits.store: redis</c>: Redis shared by the gateway replicas — Aspire's container when an engine
/// answers, else Debian's redis-server; when neither can run, the replicas are told to limit in memory (each on its
/// own), with a notice.
/// </summary>
internal static class LimitStoreStage
{
    public static void Add(StackContext context)
    {
        if (context.Config.Limits.Store != "redis")
        {
            return;
        }
        var choice = PlacementLadder.Choose(context, wanted: true, "redis-server", "redis-server", preferContainer: true);
        switch (choice.Placement)
        {
            case Placement.Container:
                var container = context.Builder.AddRedis(LlmHostStack.RedisName);
                context.Resources.Redis = container.Resource;
                context.GatewayWiring.Add(g => g.WithReference(container).WaitFor(container));
                break;
            case Placement.Executable:
                var executable = context.Builder.AddRedisExecutable(LlmHostStack.RedisName, choice.ExecutablePath!, context.RunDirectory);
                context.Resources.Redis = executable.Resource;
                context.GatewayWiring.Add(g => g.WithReference(executable).WaitFor(executable));
                break;
            default:
                context.Notice($"redis: left out — {choice.Reason}; each gateway replica enforces the limits on its own");
                context.GatewayWiring.Add(g => g.WithArgs("--limits-store", "memory"));
                return;
        }
        context.Notice($"redis: {choice.Reason}, shared limit state of the gateway replicas");
    }
}
