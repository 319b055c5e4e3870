namespace LlmHost.Backends.Configuration;

/// <summary>How a backend runs as a GPU container (mode <c>container</c>).</summary>
public sealed class ContainerSettings
{
    /// <summary>Image without tag; defaults to the engine's official image.</summary>
    public string? Image { get; set; }

    /// <summary>Pinned image tag; defaults to the engine's tested tag.</summary>
    public string? Tag { get; set; }

    /// <summary><c>all</c>, a count (<c>2</c>) or device ids (<c>0,1</c>).</summary>
    public string Gpus { get; set; } = "all";

    /// <summary>Host path or volume name mounted as the Hugging Face cache.</summary>
    public string HfCache { get; set; } = "llmhost-hf-cache";

    public int TensorParallelSize { get; set; } = 1;

    public double? GpuMemoryUtilization { get; set; }

    /// <summary>Shared memory size for PyTorch, e.g. <c>16g</c>.</summary>
    public string ShmSize { get; set; } = "16g";

    /// <summary>Container path of the LoRA adapters directory (bind-mounted from <see cref="AdaptersHostPath"/>).</summary>
    public string? AdaptersHostPath { get; set; }

    public List<string> ExtraArgs { get; set; } = [];
}
