using System.Globalization;
using LlmHost.Backends.Engines;

namespace LlmHost.Simulator;

/// <summary>Command-line options of the simulator; names follow vLLM's flags where vLLM has one.</summary>
public sealed class SimulatorOptions
{
    public BackendEngine Engine { get; set; } = BackendEngine.Vllm;
    public string Model { get; set; } = "";
    public List<string> ServedModelNames { get; set; } = [];
    public List<LoraModule> LoraModules { get; set; } = [];
    public bool EnableLora { get; set; }

    /// <summary>Adapters one batch mixes (vLLM <c>--max-loras</c>, default 1; SGLang <c>--max-loras-per-batch</c>, default 8).</summary>
    public int MaxLoras { get; set; } = 1;

    /// <summary>SGLang <c>--max-loaded-loras</c>: adapters held at once, a load beyond refused; 0 = no bound (vLLM's case).</summary>
    public int MaxLoadedLoras { get; set; }

    public int MaxLoraRank { get; set; } = 16;

    /// <summary>How long loading an adapter at run time takes, in milliseconds.</summary>
    public double LoraLoadMs { get; set; }

    /// <summary>A runtime load of a path that does not exist here fails as the engine's does (off: every path loads).</summary>
    public bool LoraCheckPaths { get; set; }

    public string Host { get; set; } = "127.0.0.1";
    public int? Port { get; set; }
    public int MaxModelLen { get; set; } = 4096;
    public int MaxNumSeqs { get; set; } = 256;
    /// <summary>Requests allowed to wait for a slot; 0 = unbounded (vLLM's behaviour), more get 429.</summary>
    public int MaxWaitingQueueLength { get; set; }
    public double TtftMs { get; set; }
    public double ItlMs { get; set; }
    /// <summary>Prefill cost per prompt token, added to the time to first token.</summary>
    public double PrefillUsPerToken { get; set; }
    /// <summary>Relative standard deviation of the latencies (0.1 = 10 %), clamped to ±70 % of the mean.</summary>
    public double Jitter { get; set; }
    public int Seed { get; set; }
    /// <summary>When set, every answer has exactly this many tokens unless max tokens is smaller.</summary>
    public int? OutputLen { get; set; }
    public double FailureRate { get; set; }
    public List<string> FailureTypes { get; set; } = [];
    /// <summary>Probability that a stream is cut (connection dropped) half way.</summary>
    public double DropRate { get; set; }
    public double StartupDelayMs { get; set; }
    public string? ApiKey { get; set; }
    /// <summary>SGLang serves /metrics only with --enable-metrics; vLLM always does.</summary>
    public bool EnableMetrics { get; set; }
    /// <summary>vLLM before v0.10.1 answered errors with a flat body; this imitates it.</summary>
    public bool LegacyErrors { get; set; }
    /// <summary>Runtime LoRA routes; vLLM also enables them from VLLM_ALLOW_RUNTIME_LORA_UPDATING.</summary>
    public bool AllowRuntimeLora { get; set; }

    /// <summary><c>fixed</c> (the latency options) or <c>roofline</c> (continuous batching, paged KV cache, prefix caching, step times from a GPU and model profile).</summary>
    public string EngineModel { get; set; } = "fixed";

    public string Gpu { get; set; } = "h100";
    public string ModelProfile { get; set; } = "llama-3.1-8b";
    public int MaxNumBatchedTokens { get; set; } = 8192;
    public double GpuMemoryUtilization { get; set; } = 0.9;
    public int TensorParallelSize { get; set; } = 1;

    /// <summary>Simulated time runs this many times faster than the wall clock (roofline model).</summary>
    public double TimeScale { get; set; } = 1;

    /// <summary>vLLM <c>--scheduling-policy</c>: <c>fcfs</c> or <c>priority</c> (roofline model).</summary>
    public string SchedulingPolicy { get; set; } = "fcfs";

    public bool IsRoofline => EngineModel == "roofline";

    /// <summary>vLLM <c>--enable-prompt-tokens-details</c>: usage carries <c>prompt_tokens_details.cached_tokens</c> (roofline model).</summary>
    public bool EnablePromptTokensDetails { get; set; }

    /// <summary>vLLM <c>--enable-sleep-mode</c>: the engine may be put to sleep.</summary>
    public bool EnableSleepMode { get; set; }

    /// <summary>SGLang <c>--enable-memory-saver</c>: <c>/release_memory_occupation</c> frees the GPU memory.</summary>
    public bool EnableMemorySaver { get; set; }

    /// <summary>SGLang <c>--enable-weights-cpu-backup</c>: released weights are kept in CPU memory for the resume.</summary>
    public bool EnableWeightsCpuBackup { get; set; }

    /// <summary>vLLM's development routes (sleep, wake, collective RPC), from <c>VLLM_SERVER_DEV_MODE=1</c>.</summary>
    public bool ServerDevMode { get; set; }

    /// <summary>How long waking from level-1 sleep takes (level 2: three times as long).</summary>
    public double WakeMs { get; set; }

    public string PrimaryServedName => ServedModelNames.Count > 0 ? ServedModelNames[0] : Model;

    public EngineProfile Profile => EngineProfile.For(Engine);

    public static readonly string[] KnownFailureTypes =
        ["rate_limit", "invalid_api_key", "context_length", "server_error", "invalid_request", "model_not_found", "stream_error"];

    // --lora-modules given: LoRA is enabled whatever --enable-lora says, in whichever order they come.
    private bool _loraModulesGiven;
    private bool _maxLorasGiven;

    /// <summary>Parses <paramref name="args"/>; returns the errors (empty when the options are usable).</summary>
    public static (SimulatorOptions Options, List<string> Errors) Parse(string[] args, Func<string, string?>? environment = null)
    {
        var options = new SimulatorOptions();
        var errors = new List<string>();
        foreach (var (name, values) in CommandLine.Split(args, errors))
        {
            var option = new OptionValues(name, values, errors);
            if (!options.ApplyServing(option) && !options.ApplyBehaviour(option))
            {
                errors.Add($"unknown option --{name}");
            }
        }
        options.Complete(environment ?? Environment.GetEnvironmentVariable, errors);
        return (options, errors);
    }

    // What the engine serves and where: model, names, adapters, address, capacity.
    private bool ApplyServing(OptionValues option)
    {
        switch (option.Name)
        {
            case "engine":
                var engine = EngineProfile.ParseEngine(option.Single());
                if (engine is null)
                {
                    option.Error($"--engine: '{option.Values.FirstOrDefault()}' is not one of vllm, sglang");
                }
                Engine = engine ?? BackendEngine.Vllm;
                return true;
            case "model" or "model-path": Model = option.Single(); return true;
            case "served-model-name": ServedModelNames.AddRange(option.Values); return true;
            case "lora-modules" or "lora-paths":
                _loraModulesGiven = true;
                foreach (var item in option.Values)
                {
                    var eq = item.IndexOf('=');
                    if (eq <= 0 || eq == item.Length - 1)
                    {
                        option.Error($"--{option.Name}: '{item}' is not NAME=PATH");
                        continue;
                    }
                    LoraModules.Add(new LoraModule(item[..eq], item[(eq + 1)..]));
                }
                return true;
            case "enable-lora": EnableLora = option.Flag(); return true;
            case "max-loras" or "max-loras-per-batch":
                MaxLoras = option.Int(1);
                _maxLorasGiven = true;
                return true;
            case "max-loaded-loras": MaxLoadedLoras = option.Int(1); return true;
            case "max-lora-rank": MaxLoraRank = option.Int(1); return true;
            case "lora-target-modules": return true; // accepted as the engine does; the simulator has no modules
            // Accepted as the engines take them (the AppHost's process mode passes them); nothing to simulate.
            case "tensor-parallel-size" or "tp": TensorParallelSize = option.Int(1); return true;
            case "gpu-memory-utilization" or "mem-fraction-static": GpuMemoryUtilization = option.Number(0.01, 1); return true;
            case "engine-model": EngineModel = option.Single(); return true;
            case "gpu": Gpu = option.Single(); return true;
            case "model-profile": ModelProfile = option.Single(); return true;
            case "max-num-batched-tokens" or "chunked-prefill-size": MaxNumBatchedTokens = option.Int(16); return true;
            case "time-scale": TimeScale = option.Number(0.001, 10_000); return true;
            case "scheduling-policy": SchedulingPolicy = option.Single(); return true;
            case "enable-prompt-tokens-details": EnablePromptTokensDetails = option.Flag(); return true;
            case "lora-load-ms": LoraLoadMs = option.Number(0, 600_000); return true;
            case "lora-check-paths": LoraCheckPaths = option.Flag(); return true;
            case "host": Host = option.Single(); return true;
            case "port": Port = option.Int(0); return true;
            case "max-model-len" or "context-length": MaxModelLen = option.Int(1); return true;
            case "max-num-seqs" or "max-running-requests": MaxNumSeqs = option.Int(1); return true;
            case "max-waiting-queue-length": MaxWaitingQueueLength = option.Int(0); return true;
            case "api-key": ApiKey = option.Single(); return true;
            case "enable-metrics": EnableMetrics = option.Flag(); return true;
            case "allow-runtime-lora": AllowRuntimeLora = option.Flag(); return true;
            case "enable-sleep-mode": EnableSleepMode = option.Flag(); return true;
            case "server-dev-mode": ServerDevMode = option.Flag(); return true;
            case "enable-memory-saver": EnableMemorySaver = option.Flag(); return true;
            case "enable-weights-cpu-backup": EnableWeightsCpuBackup = option.Flag(); return true;
            case "wake-ms": WakeMs = option.Number(0, 600_000); return true;
            default: return false;
        }
    }

    // How it behaves: latencies, output, failures.
    private bool ApplyBehaviour(OptionValues option)
    {
        switch (option.Name)
        {
            case "ttft-ms": TtftMs = option.Number(0, 600_000); return true;
            case "itl-ms": ItlMs = option.Number(0, 60_000); return true;
            case "prefill-us-per-token": PrefillUsPerToken = option.Number(0, 1_000_000); return true;
            case "jitter": Jitter = option.Number(0, 0.3); return true;
            case "seed": Seed = option.Int(int.MinValue); return true;
            case "output-len": OutputLen = option.Int(1); return true;
            case "failure-rate": FailureRate = option.Number(0, 1); return true;
            case "failure-types":
                foreach (var item in option.Values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)))
                {
                    if (Array.IndexOf(KnownFailureTypes, item) < 0)
                    {
                        option.Error($"--failure-types: '{item}' is not one of {string.Join(", ", KnownFailureTypes)}");
                    }
                    FailureTypes.Add(item);
                }
                return true;
            case "drop-rate": DropRate = option.Number(0, 1); return true;
            case "startup-delay-ms": StartupDelayMs = option.Number(0, 3_600_000); return true;
            case "legacy-errors": LegacyErrors = option.Flag(); return true;
            default: return false;
        }
    }

    // What follows from the options together, and from the environment (PORT, vLLM's runtime-LoRA switch).
    private void Complete(Func<string, string?> environment, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Model))
        {
            errors.Add("--model is required");
        }
        if (Port is null && int.TryParse(environment("PORT"), out var envPort))
        {
            Port = envPort;
        }
        EnableLora |= _loraModulesGiven;
        CheckEngineModel(errors);
        if (Engine == BackendEngine.Sglang && !_maxLorasGiven)
        {
            MaxLoras = 8;
        }
        if (MaxLoadedLoras > 0 && MaxLoadedLoras < MaxLoras)
        {
            errors.Add($"--max-loaded-loras ({MaxLoadedLoras}) must be at least --max-loras-per-batch ({MaxLoras})");
        }
        if (Engine == BackendEngine.Vllm)
        {
            EnableMetrics = true;
            AllowRuntimeLora |= environment("VLLM_ALLOW_RUNTIME_LORA_UPDATING") is { } gate
                && (gate.Equals("true", StringComparison.OrdinalIgnoreCase) || gate == "1");
            ServerDevMode |= environment("VLLM_SERVER_DEV_MODE") == "1";
        }
        else
        {
            // SGLang's LoRA routes exist whenever the server runs; they only fail without LoRA enabled.
            AllowRuntimeLora = true;
        }
    }

    private void CheckEngineModel(List<string> errors)
    {
        if (EngineModel is not ("fixed" or "roofline"))
        {
            errors.Add($"--engine-model: '{EngineModel}' is not one of fixed, roofline");
        }
        if (SchedulingPolicy is not ("fcfs" or "priority"))
        {
            errors.Add($"--scheduling-policy: '{SchedulingPolicy}' is not one of fcfs, priority");
        }
        if (!IsRoofline)
        {
            return;
        }
        var gpu = LlmHost.Simulator.Engine.Model.GpuProfile.Find(Gpu);
        var model = LlmHost.Simulator.Engine.Model.ModelProfile.Find(ModelProfile);
        if (gpu is null)
        {
            errors.Add($"--gpu: '{Gpu}' is not one of {string.Join(", ", LlmHost.Simulator.Engine.Model.GpuProfile.All.Select(g => g.Name))}");
        }
        if (model is null)
        {
            errors.Add($"--model-profile: '{ModelProfile}' is not one of {string.Join(", ", LlmHost.Simulator.Engine.Model.ModelProfile.All.Select(m => m.Name))}");
        }
        if (gpu is null || model is null)
        {
            return;
        }
        var blocks = new LlmHost.Simulator.Engine.Model.RooflineModel(gpu, model, TensorParallelSize).KvBlocks(GpuMemoryUtilization);
        if (blocks == 0)
        {
            errors.Add($"--model-profile: {model.Name} does not fit on {TensorParallelSize} × {gpu.Name} at --gpu-memory-utilization {GpuMemoryUtilization}");
        }
        else if ((long)blocks * 16 < MaxModelLen)
        {
            // vLLM refuses to start the same way: one request of the full context must fit.
            errors.Add($"--max-model-len: {MaxModelLen} tokens is more than the KV cache holds ({(long)blocks * 16} tokens)");
        }
    }

    /// <summary>One option's values, read as the type it takes; a value that does not fit is an error.</summary>
    private readonly record struct OptionValues(string Name, List<string> Values, List<string> Errors)
    {
        public void Error(string message) => Errors.Add(message);

        public string Single()
        {
            if (Values.Count != 1)
            {
                Errors.Add($"--{Name} takes one value");
                return Values.Count > 0 ? Values[0] : "";
            }
            return Values[0];
        }

        public int Int(int min)
        {
            var text = Single();
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
            {
                Errors.Add($"--{Name}: '{text}' is not an integer >= {min}");
            }
            return v;
        }

        public double Number(double min, double max)
        {
            var text = Single();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            {
                Errors.Add($"--{Name}: '{text}' is not a number between {min} and {max}");
            }
            return v;
        }

        public bool Flag()
        {
            if (Values.Count == 0)
            {
                return true;
            }
            var text = Single();
            if (!bool.TryParse(text, out var v))
            {
                Errors.Add($"--{Name}: '{text}' is not true or false");
            }
            return v;
        }
    }

    public const string Usage = """
        usage: LlmHost.Simulator --engine vllm|sglang --model NAME [options]
          --served-model-name NAME...   names clients use in "model" (default: --model)
          --lora-modules NAME=PATH...   static LoRA adapters (--lora-paths for SGLang)
          --enable-lora                 enable LoRA (implied by --lora-modules)
          --max-loras N                 adapters in one batch (--max-loras-per-batch; vLLM 1, SGLang 8);
                                        more wait, shown in vllm:lora_requests_info
          --max-loaded-loras N          SGLang: adapters held at once; a load beyond is refused (no bound)
          --max-lora-rank N             largest adapter rank (16); --lora-target-modules is accepted
          --lora-load-ms N              time a runtime adapter load takes (0)
          --lora-check-paths            a runtime load of a path missing here fails as the engine's does
          --host ADDR --port N          where to listen (127.0.0.1; vLLM 8000, SGLang 30000; env PORT)
          --max-model-len N             context length (4096)
          --max-num-seqs N              concurrent requests; more wait in a queue (256)
          --max-waiting-queue-length N  waiting requests allowed, more get 429 (0 = unbounded)
          --ttft-ms N --itl-ms N        time to first token and between tokens (0)
          --prefill-us-per-token N      extra time to first token per prompt token (0)
          --jitter F                    relative std-dev of latencies, 0 to 0.3 (0)
          --seed N                      seed of the deterministic output (0)
          --output-len N                fixed answer length (default: 16 to 63 tokens by seed)
          --failure-rate P              probability 0..1 that a request fails (0)
          --failure-types T,...         rate_limit, invalid_api_key, context_length, server_error,
                                        invalid_request, model_not_found, stream_error (all)
          --drop-rate P                 probability that a stream is cut half way (0)
          --startup-delay-ms N          /health answers 503 until this has passed (0)
          --api-key KEY                 require Authorization: Bearer KEY on /v1 routes
          --enable-metrics              SGLang: serve /metrics (vLLM always does)
          --legacy-errors               vLLM: flat error bodies as before v0.10.1
          --allow-runtime-lora          vLLM: LoRA load/unload routes (or VLLM_ALLOW_RUNTIME_LORA_UPDATING=true)
          --engine-model fixed|roofline roofline: continuous batching over a paged KV cache with prefix caching,
                                        step times from --gpu (h100, h200, a100, a100-40gb, l4) and --model-profile
                                        (llama-3.1-8b, qwen2.5-7b, llama-3.1-70b); --tensor-parallel-size,
                                        --gpu-memory-utilization (0.9), --max-num-batched-tokens (8192),
                                        --scheduling-policy fcfs|priority, --time-scale F (F times faster),
                                        --enable-prompt-tokens-details (usage reports cached prompt tokens)
          --enable-sleep-mode           vLLM: the engine may sleep (routes with VLLM_SERVER_DEV_MODE=1)
          --server-dev-mode             vLLM: the development routes, as VLLM_SERVER_DEV_MODE=1
          --enable-memory-saver         SGLang: /release_memory_occupation frees the memory (the engine sleeps)
          --enable-weights-cpu-backup   SGLang: released weights kept in CPU memory, restored by /resume_memory_occupation
          --wake-ms N                   time a wake from level-1 sleep takes (level 2: 3x) (0)
          --calibrate                   print the engine model against published vLLM figures, and exit
        """;
}
