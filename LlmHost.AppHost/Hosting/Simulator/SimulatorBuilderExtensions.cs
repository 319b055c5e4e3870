using LlmHost.AppHost.Hosting.Lifecycle;
using LlmHost.AppHost.Hosting.Lora;
using System.Globalization;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.AppHost.Hosting.Simulator;

public static class SimulatorBuilderExtensions
{
    /// <summary>Adds LlmHost.Simulator imitating <paramref name="backend"/>'s engine and model.</summary>
    public static IResourceBuilder<ProjectResource> AddSimulatedBackend(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, BackendSettings backend)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(backend);

        return builder.AddProject<Projects.LlmHost_Simulator>(name)
            .WithHttpEndpoint(name: "http", env: "PORT")
            .WithHttpHealthCheck(backend.Profile.HealthPath)
            .WithArgs(context => AddArgs(context.Args, backend))
            .WithRuntimeLora(backend)
            .WithSleepMode(backend)
            .WithSleepCommands(backend)
            .WithSleepStatus(backend)
            .WithAdapterCommands(backend);
    }

    internal static void AddArgs(IList<object> args, BackendSettings backend)
    {
        var simulator = backend.Simulator;
        args.Add("--engine");
        args.Add(backend.Profile.Name);
        args.Add("--model");
        args.Add(backend.Model);
        args.Add("--served-model-name");
        args.Add(backend.EffectiveServedModelName);
        EngineArgs.Add(args, "--max-model-len", backend.MaxModelLen ?? 4096);
        EngineArgs.Add(args, "--max-num-seqs", simulator.MaxNumSeqs);
        EngineArgs.Add(args, "--ttft-ms", simulator.TtftMs);
        EngineArgs.Add(args, "--itl-ms", simulator.ItlMs);
        EngineArgs.Add(args, "--seed", simulator.Seed);
        if (simulator.FailureRate > 0)
        {
            args.Add("--failure-rate");
            args.Add(simulator.FailureRate.ToString(CultureInfo.InvariantCulture));
        }
        if (backend.EngineKind == BackendEngine.Sglang)
        {
            args.Add("--enable-metrics");
        }
        EngineArgs.AddLora(args, backend);
        EngineArgs.AddPriority(args, backend);
        EngineArgs.Add(args, "--lora-load-ms", simulator.LoraLoadMs);
        if (backend.Sleep.Enabled)
        {
            EngineArgs.AddSleep(args, backend);
            EngineArgs.Add(args, "--wake-ms", simulator.WakeMs);
        }
        foreach (var extra in simulator.ExtraArgs)
        {
            args.Add(extra);
        }
    }
}
