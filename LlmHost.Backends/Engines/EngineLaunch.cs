namespace LlmHost.Backends.Engines;

/// <summary>
/// How an engine's server is started: the command-line flags that say the same thing differently in vLLM and SGLang.
/// A null flag is one the engine does not take.
/// </summary>
public sealed record EngineLaunch
{
    /// <summary>Arguments before all others (SGLang's image has no server entrypoint: <c>-m sglang.launch_server</c>).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The flag before the model; null when the model is the first positional argument (<c>vllm serve MODEL</c>).</summary>
    public required string? ModelFlag { get; init; }

    public required string TensorParallelFlag { get; init; }

    /// <summary>Flags always given after tensor parallelism (SGLang exports metrics only when asked).</summary>
    public required IReadOnlyList<string> AlwaysFlags { get; init; }

    public required string ContextLengthFlag { get; init; }

    /// <summary>The share of GPU memory the engine may take (weights and KV cache).</summary>
    public required string GpuMemoryFlag { get; init; }

    /// <summary>The flags that bound the adapters an instance holds (and mixes in one batch), each given the same count.</summary>
    public required IReadOnlyList<string> MaxLorasFlags { get; init; }

    /// <summary>The Python module (and sub-command) that starts the server in a Python environment (mode <c>process</c>).</summary>
    public required IReadOnlyList<string> ProcessCommand { get; init; }

    /// <summary>The flag before the <c>name=path</c> adapters loaded at start.</summary>
    public required string LoraModulesFlag { get; init; }

    /// <summary>Flags an engine needs to load adapters after start that it could otherwise infer from those given at start.</summary>
    public required IReadOnlyList<string> RuntimeLoraFlags { get; init; }

    /// <summary>Environment the engine needs to expose its adapter load and unload routes.</summary>
    public required IReadOnlyDictionary<string, string> RuntimeLoraEnvironment { get; init; }
}
