using System.Globalization;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.AppHost.Hosting;

/// <summary>
/// The command line of a vLLM or SGLang server, built once for both from the engine profile's flags
/// (<see cref="LlmHost.Backends.Engines.EngineLaunch"/>): model, name and address, parallelism, context length,
/// memory share, adapters, then the operator's extra arguments.
/// </summary>
public static class EngineArgs
{
    /// <summary>A container's command line: the image's entrypoint runs the server, listening on all interfaces.</summary>
    public static void Add(IList<object> args, BackendSettings backend) =>
        Add(args, backend, backend.Profile.Launch.Command, "0.0.0.0", backend.Profile.DefaultPort);

    /// <summary>
    /// A host process's command line after the Python executable: the server's module, listening on loopback only
    /// (its admin routes must stay private) on the port Aspire gives it.
    /// </summary>
    public static void AddForProcess(IList<object> args, BackendSettings backend, object port) =>
        Add(args, backend, backend.Profile.Launch.ProcessCommand, "127.0.0.1", port);

    private static void Add(IList<object> args, BackendSettings backend, IEnumerable<string> command, string host, object port)
    {
        var launch = backend.Profile.Launch;
        var container = backend.Container;
        Append(args, command);
        if (backend.CommandTemplate is { } text && EngineCommandTemplate.Parse(text, backend.Profile).Template is { } template)
        {
            // The operator's arguments with LlmHost's values, then what the gateway relies on (LoRA, sleep).
            foreach (var arg in template.Render(TemplateValues(backend, host, port)))
            {
                args.Add(arg);
            }
            // What LlmHost relies on whatever the template says (SGLang's metrics for the dashboards).
            Append(args, launch.AlwaysFlags.Where(f => !template.Tokens.Contains(f)));
            AddLora(args, backend);
            AddSleep(args, backend);
            AddPriority(args, backend);
            Append(args, container.ExtraArgs);
            return;
        }
        if (launch.ModelFlag is { } modelFlag)
        {
            args.Add(modelFlag);
        }
        args.Add(backend.Model);
        args.Add("--served-model-name");
        args.Add(backend.EffectiveServedModelName);
        args.Add("--host");
        args.Add(host);
        args.Add("--port");
        args.Add(port is int number ? number.ToString(CultureInfo.InvariantCulture) : port);
        Add(args, launch.TensorParallelFlag, container.TensorParallelSize);
        Append(args, launch.AlwaysFlags);
        if (backend.MaxModelLen is { } maxModelLen)
        {
            Add(args, launch.ContextLengthFlag, maxModelLen);
        }
        if (container.GpuMemoryUtilization is { } utilization)
        {
            args.Add(launch.GpuMemoryFlag);
            args.Add(utilization.ToString(CultureInfo.InvariantCulture));
        }
        AddLora(args, backend);
        AddSleep(args, backend);
        AddPriority(args, backend);
        Append(args, container.ExtraArgs);
    }

    private static Dictionary<string, object?> TemplateValues(BackendSettings backend, string host, object port) => new(StringComparer.Ordinal)
    {
        ["model"] = backend.Model,
        ["served_model_name"] = backend.EffectiveServedModelName,
        ["host"] = host,
        ["port"] = port is int number ? number.ToString(CultureInfo.InvariantCulture) : port,
        ["tensor_parallel_size"] = backend.Container.TensorParallelSize.ToString(CultureInfo.InvariantCulture),
        ["max_model_len"] = backend.MaxModelLen?.ToString(CultureInfo.InvariantCulture),
        ["gpu_memory_utilization"] = backend.Container.GpuMemoryUtilization?.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>vLLM's priority scheduling, when the backend enables it (the simulator takes the same flag).</summary>
    public static void AddPriority(IList<object> args, BackendSettings backend)
    {
        if (backend.PriorityScheduling && backend.EngineKind == BackendEngine.Vllm)
        {
            args.Add("--scheduling-policy");
            args.Add("priority");
        }
    }

    /// <summary>Sleep mode, when the backend enables it (vLLM <c>--enable-sleep-mode</c>). The simulator takes the same flag.</summary>
    public static void AddSleep(IList<object> args, BackendSettings backend)
    {
        if (backend.Sleep.Enabled && backend.Profile.Sleep is { } sleep)
        {
            Append(args, sleep.Flags);
        }
    }

    /// <summary>The environment sleep mode needs (vLLM's development-mode routes), when the backend enables it.</summary>
    public static IResourceBuilder<T> WithSleepMode<T>(this IResourceBuilder<T> builder, BackendSettings backend) where T : IResourceWithEnvironment
    {
        if (backend.Sleep.Enabled && backend.Profile.Sleep is { } sleep)
        {
            foreach (var (name, value) in sleep.Environment)
            {
                builder.WithEnvironment(name, value);
            }
        }
        return builder;
    }

    /// <summary>
    /// LoRA, when the backend enables it: on, with its slots, rank and what runtime loading needs, then the adapters
    /// loaded at start. The simulator takes the same flags.
    /// </summary>
    public static void AddLora(IList<object> args, BackendSettings backend)
    {
        if (!backend.Lora.Enabled)
        {
            return;
        }
        var launch = backend.Profile.Launch;
        args.Add("--enable-lora");
        foreach (var flag in launch.MaxLorasFlags)
        {
            Add(args, flag, backend.Lora.MaxLoaded);
        }
        Add(args, "--max-lora-rank", backend.Lora.MaxRank);
        Append(args, launch.RuntimeLoraFlags);
        AddLoraModules(args, backend, launch.LoraModulesFlag);
    }

    /// <summary>The environment runtime adapter loading needs (vLLM's switch), when the backend enables LoRA.</summary>
    public static IResourceBuilder<T> WithRuntimeLora<T>(this IResourceBuilder<T> builder, BackendSettings backend) where T : IResourceWithEnvironment
    {
        if (backend.Lora.Enabled)
        {
            foreach (var (name, value) in backend.Profile.Launch.RuntimeLoraEnvironment)
            {
                builder.WithEnvironment(name, value);
            }
        }
        return builder;
    }

    /// <summary>The adapters loaded at start, as <c>name=path</c> after <paramref name="flag"/>.</summary>
    private static void AddLoraModules(IList<object> args, BackendSettings backend, string flag)
    {
        if (backend.LoraModules.Count == 0)
        {
            return;
        }
        args.Add(flag);
        foreach (var lora in backend.LoraModules)
        {
            args.Add($"{lora.Name}={lora.Path}");
        }
    }

    internal static void Add(IList<object> args, string flag, int value)
    {
        args.Add(flag);
        args.Add(value.ToString(CultureInfo.InvariantCulture));
    }

    private static void Append(IList<object> args, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            args.Add(value);
        }
    }
}
