namespace LlmHost.Backends.Engines;

/// <summary>
/// Everything that differs between vLLM and SGLang on the wire and at launch: ports, paths, metric names,
/// LoRA routes and how a request names an adapter.
/// </summary>
public sealed record EngineProfile
{
    public static readonly string[] EngineNames = ["vllm", "sglang"];

    public static EngineProfile Vllm { get; } = new()
    {
        Engine = BackendEngine.Vllm,
        Name = "vllm",
        DefaultPort = 8000,
        HealthPath = "/health",
        MetricsPath = "/metrics",
        OwnedBy = "vllm",
        LoadLoraPath = "/v1/load_lora_adapter",
        UnloadLoraPath = "/v1/unload_lora_adapter",
        TokenizePath = "/tokenize",
        RunningRequestsMetric = "vllm:num_requests_running",
        WaitingRequestsMetric = "vllm:num_requests_waiting",
        KvCacheUsageMetric = "vllm:kv_cache_usage_perc",
        ContainerImage = "docker.io/vllm/vllm-openai",
        ContainerTag = "v0.11.0",
    };

    public static EngineProfile Sglang { get; } = new()
    {
        Engine = BackendEngine.Sglang,
        Name = "sglang",
        DefaultPort = 30000,
        HealthPath = "/health",
        MetricsPath = "/metrics",
        OwnedBy = "sglang",
        LoadLoraPath = "/load_lora_adapter",
        UnloadLoraPath = "/unload_lora_adapter",
        TokenizePath = "/v1/tokenize",
        RunningRequestsMetric = "sglang:num_running_reqs",
        WaitingRequestsMetric = "sglang:num_queue_reqs",
        KvCacheUsageMetric = "sglang:token_usage",
        ContainerImage = "docker.io/lmsysorg/sglang",
        ContainerTag = "v0.5.3-cu126",
    };

    public required BackendEngine Engine { get; init; }
    public required string Name { get; init; }
    public required int DefaultPort { get; init; }
    public required string HealthPath { get; init; }
    public required string MetricsPath { get; init; }
    public required string OwnedBy { get; init; }
    public required string LoadLoraPath { get; init; }
    public required string UnloadLoraPath { get; init; }
    public required string TokenizePath { get; init; }
    public required string RunningRequestsMetric { get; init; }
    public required string WaitingRequestsMetric { get; init; }
    public required string KvCacheUsageMetric { get; init; }
    public required string ContainerImage { get; init; }
    public required string ContainerTag { get; init; }

    public static EngineProfile For(BackendEngine engine) => engine == BackendEngine.Sglang ? Sglang : Vllm;

    public static BackendEngine? ParseEngine(string? value) => value switch
    {
        "vllm" => BackendEngine.Vllm,
        "sglang" => BackendEngine.Sglang,
        _ => null,
    };

    /// <summary>
    /// The value a client request must carry in <c>model</c> to select <paramref name="adapter"/>:
    /// vLLM takes the adapter name itself, SGLang takes <c>base:adapter</c>.
    /// </summary>
    public string AdapterRequestModel(string baseModel, string adapter) =>
        Engine == BackendEngine.Sglang ? $"{baseModel}:{adapter}" : adapter;
}
