namespace LlmHost.Backends.Configuration;

/// <summary>How a backend runs as a GPU container (mode <c>container</c>).</summary>
public sealed class ContainerSettings
{
    /// <summary>Image without tag; defaults to the engine's official image.</summary>
    public string? Image { get; set; }

    /// <summary>Pinned image tag; defaults to the engine's tested tag.</summary>
    public string? Tag { get; set; }

    /// <summary><c>all</c>, a count (<c>2</c>: devices 0 and 1) or device ids (<c>[0, 1]</c>); see <see cref="GpuSelection"/>.</summary>
    public GpuSelection Gpus { get; set; } = GpuSelection.All;

    /// <summary>Host path or volume name mounted as the Hugging Face cache.</summary>
    public string HfCache { get; set; } = "llmhost-hf-cache";

    public int TensorParallelSize { get; set; } = 1;

    public double? GpuMemoryUtilization { get; set; }

    /// <summary>Shared memory size for PyTorch, e.g. <c>16g</c>.</summary>
    public string ShmSize { get; set; } = "16g";

    /// <summary>Host folder mounted read-only at <c>/adapters</c> in the container (relative: to config.yaml's folder).</summary>
    public string? AdaptersHostPath { get; set; }

    public List<string> ExtraArgs { get; set; } = [];
}
