namespace LlmHost.Backends.Configuration;

/// <summary>
/// How a backend runs as a host process (mode <c>process</c>): the engine installed with pip or uv in a Python
/// environment on this machine. GPUs, parallelism, memory share, Hugging Face cache and extra arguments come from
/// <c>container:</c>, as for a container.
/// </summary>
public sealed class ProcessSettings
{
    /// <summary>The environment's Python, e.g. <c>~/venvs/vllm/bin/python</c> (relative: to config.yaml's folder).</summary>
    public string? Python { get; set; }

    /// <summary>More environment variables for the engine (NCCL, cache or log settings).</summary>
    public Dictionary<string, string> Environment { get; set; } = [];
}
