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
        Launch = new EngineLaunch
        {
            Command = [],
            // What the image's "vllm serve" entrypoint runs.
            ProcessCommand = ["-m", "vllm.entrypoints.cli.main", "serve"],
            ModelFlag = null,
            TensorParallelFlag = "--tensor-parallel-size",
            AlwaysFlags = [],
            ContextLengthFlag = "--max-model-len",
            GpuMemoryFlag = "--gpu-memory-utilization",
            MaxLorasFlags = ["--max-loras"],
            LoraModulesFlag = "--lora-modules",
            RuntimeLoraFlags = [],
            RuntimeLoraEnvironment = new Dictionary<string, string> { ["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] = "True" },
        },
        // vLLM: scheduling priority, the engine's own request id, KV transfer between instances (disaggregated
        // serving), the prefix-cache isolation salt, free-form arguments for engine plugins and raw embeddings
        // (tensors the engine decodes) are the operator's to set, not a tenant's.
        OperatorOnlyFields = ["priority", "request_id", "kv_transfer_params", "cache_salt", "vllm_xargs", "prompt_embeds"],
        AdapterFields = [],
        // Responses since 0.10.0 (no delete route); the Anthropic Messages API since 0.11.1, its token count since 0.12.0.
        ApisSince = new Dictionary<EngineApi, Version>
        {
            [EngineApi.Responses] = new(0, 10, 0),
            [EngineApi.ResponseRetrieve] = new(0, 10, 0),
            [EngineApi.ResponseCancel] = new(0, 10, 0),
            [EngineApi.Messages] = new(0, 11, 1),
            [EngineApi.CountTokens] = new(0, 12, 0),
        },
        Sleep = new EngineSleep
        {
            SleepPath = "/sleep",
            WakePath = "/wake_up",
            IsSleepingPath = "/is_sleeping",
            LevelInQuery = true,
            MaxLevel = 2,
            ReloadWeightsPath = "/collective_rpc",
            ResetPrefixCachePath = "/reset_prefix_cache",
            Flags = ["--enable-sleep-mode"],
            // The sleep routes exist only in the server's development mode: the engine's port must stay private.
            Environment = new Dictionary<string, string> { ["VLLM_SERVER_DEV_MODE"] = "1" },
        },
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
        Launch = new EngineLaunch
        {
            Command = ["-m", "sglang.launch_server"],
            ProcessCommand = ["-m", "sglang.launch_server"],
            ModelFlag = "--model-path",
            TensorParallelFlag = "--tp",
            AlwaysFlags = ["--enable-metrics"],
            ContextLengthFlag = "--context-length",
            GpuMemoryFlag = "--mem-fraction-static",
            MaxLorasFlags = ["--max-loras-per-batch", "--max-loaded-loras"],
            LoraModulesFlag = "--lora-paths",
            // Without adapters at start SGLang cannot infer which modules adapters touch: all of them, then.
            RuntimeLoraFlags = ["--lora-target-modules", "all"],
            RuntimeLoraEnvironment = new Dictionary<string, string>(),
        },
        // SGLang: a serialized callable run by the engine, prefill/decode bootstrap addresses, the engine's request
        // id, hidden states (large tensors) in the answer, data-parallel rank pinning, sessions, the prefix-cache
        // key and free-form parameters for custom logit processors.
        OperatorOnlyFields =
        [
            "custom_logit_processor", "bootstrap_host", "bootstrap_port", "bootstrap_room", "rid", "return_hidden_states",
            "data_parallel_rank", "routed_dp_rank", "disagg_prefill_dp_rank", "session_params", "extra_key", "custom_params",
        ],
        // SGLang selects an adapter by the body's lora_path as well as by "base:adapter" in model.
        AdapterFields = ["lora_path"],
        // Responses since 0.5.0 (no delete route); the Anthropic Messages API since 0.5.5.
        ApisSince = new Dictionary<EngineApi, Version>
        {
            [EngineApi.Responses] = new(0, 5, 0),
            [EngineApi.ResponseRetrieve] = new(0, 5, 0),
            [EngineApi.ResponseCancel] = new(0, 5, 0),
            [EngineApi.Messages] = new(0, 5, 5),
            [EngineApi.CountTokens] = new(0, 5, 5),
        },
        // Releasing GPU memory needs the memory saver; the weights' CPU backup (SGLang 0.5.3 and later) lets the
        // resume restore them without reloading from disk. One level: the KV cache, the weights and the CUDA graphs.
        Sleep = new EngineSleep
        {
            SleepPath = "/release_memory_occupation",
            WakePath = "/resume_memory_occupation",
            Body = "{}",
            Flags = ["--enable-memory-saver", "--enable-weights-cpu-backup"],
            Environment = new Dictionary<string, string>(),
        },
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

    /// <summary>How the engine's server is started (its flags).</summary>
    public required EngineLaunch Launch { get; init; }

    /// <summary>How the engine sleeps and wakes; null when LlmHost has no sleep mode for it.</summary>
    public EngineSleep? Sleep { get; init; }

    /// <summary>Top-level request fields only an operator may set: a gateway must not pass a client's value on.</summary>
    public required IReadOnlyList<string> OperatorOnlyFields { get; init; }

    /// <summary>Top-level request fields that select a LoRA adapter besides <c>model</c>.</summary>
    public required IReadOnlyList<string> AdapterFields { get; init; }

    /// <summary>The first version that serves each of the later client APIs; an API not listed is not served at all.</summary>
    public required IReadOnlyDictionary<EngineApi, Version> ApisSince { get; init; }

    /// <summary>Whether an engine of <paramref name="version"/> serves <paramref name="api"/>; an unknown version is taken to be recent.</summary>
    public bool Serves(EngineApi api, Version? version) => ApisSince.TryGetValue(api, out var since) && (version is null || version >= since);

    /// <summary>Every engine's operator-only fields: a route may span engines, and an engine may be replaced.</summary>
    public static IReadOnlyList<string> AllOperatorOnlyFields { get; } = [.. Vllm.OperatorOnlyFields.Union(Sglang.OperatorOnlyFields)];

    /// <summary>Every engine's adapter-selecting fields.</summary>
    public static IReadOnlyList<string> AllAdapterFields { get; } = [.. Vllm.AdapterFields.Union(Sglang.AdapterFields)];

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
