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
    public int MaxLoras { get; set; } = 1;
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

    public string PrimaryServedName => ServedModelNames.Count > 0 ? ServedModelNames[0] : Model;

    public EngineProfile Profile => EngineProfile.For(Engine);

    public static readonly string[] KnownFailureTypes =
        ["rate_limit", "invalid_api_key", "context_length", "server_error", "invalid_request", "model_not_found", "stream_error"];

    /// <summary>Parses <paramref name="args"/>; returns the errors (empty when the options are usable).</summary>
    public static (SimulatorOptions Options, List<string> Errors) Parse(string[] args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var o = new SimulatorOptions();
        var errors = new List<string>();
        var values = CommandLine.Split(args, errors);
        var loraSeen = false;

        foreach (var (name, list) in values)
        {
            string Single()
            {
                if (list.Count != 1)
                {
                    errors.Add($"--{name} takes one value");
                    return list.Count > 0 ? list[0] : "";
                }
                return list[0];
            }
            int Int(int min)
            {
                var text = Single();
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
                {
                    errors.Add($"--{name}: '{text}' is not an integer >= {min}");
                }
                return v;
            }
            double Number(double min, double max)
            {
                var text = Single();
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
                {
                    errors.Add($"--{name}: '{text}' is not a number between {min} and {max}");
                }
                return v;
            }
            bool Flag()
            {
                if (list.Count == 0)
                {
                    return true;
                }
                var text = Single();
                if (!bool.TryParse(text, out var v))
                {
                    errors.Add($"--{name}: '{text}' is not true or false");
                }
                return v;
            }

            switch (name)
            {
                case "engine":
                    var engine = EngineProfile.ParseEngine(Single());
                    if (engine is null)
                    {
                        errors.Add($"--engine: '{list.FirstOrDefault()}' is not one of vllm, sglang");
                    }
                    o.Engine = engine ?? BackendEngine.Vllm;
                    break;
                case "model":
                case "model-path":
                    o.Model = Single();
                    break;
                case "served-model-name":
                    o.ServedModelNames.AddRange(list);
                    break;
                case "lora-modules":
                case "lora-paths":
                    loraSeen = true;
                    foreach (var item in list)
                    {
                        var eq = item.IndexOf('=');
                        if (eq <= 0 || eq == item.Length - 1)
                        {
                            errors.Add($"--{name}: '{item}' is not NAME=PATH");
                            continue;
                        }
                        o.LoraModules.Add(new LoraModule(item[..eq], item[(eq + 1)..]));
                    }
                    break;
                case "enable-lora": o.EnableLora = Flag(); break;
                case "max-loras": o.MaxLoras = Int(1); break;
                case "host": o.Host = Single(); break;
                case "port": o.Port = Int(0); break;
                case "max-model-len":
                case "context-length":
                    o.MaxModelLen = Int(1);
                    break;
                case "max-num-seqs":
                case "max-running-requests":
                    o.MaxNumSeqs = Int(1);
                    break;
                case "max-waiting-queue-length": o.MaxWaitingQueueLength = Int(0); break;
                case "ttft-ms": o.TtftMs = Number(0, 600_000); break;
                case "itl-ms": o.ItlMs = Number(0, 60_000); break;
                case "prefill-us-per-token": o.PrefillUsPerToken = Number(0, 1_000_000); break;
                case "jitter": o.Jitter = Number(0, 0.3); break;
                case "seed": o.Seed = Int(int.MinValue); break;
                case "output-len": o.OutputLen = Int(1); break;
                case "failure-rate": o.FailureRate = Number(0, 1); break;
                case "failure-types":
                    foreach (var item in list.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)))
                    {
                        if (Array.IndexOf(KnownFailureTypes, item) < 0)
                        {
                            errors.Add($"--failure-types: '{item}' is not one of {string.Join(", ", KnownFailureTypes)}");
                        }
                        o.FailureTypes.Add(item);
                    }
                    break;
                case "drop-rate": o.DropRate = Number(0, 1); break;
                case "startup-delay-ms": o.StartupDelayMs = Number(0, 3_600_000); break;
                case "api-key": o.ApiKey = Single(); break;
                case "enable-metrics": o.EnableMetrics = Flag(); break;
                case "legacy-errors": o.LegacyErrors = Flag(); break;
                case "allow-runtime-lora": o.AllowRuntimeLora = Flag(); break;
                default:
                    errors.Add($"unknown option --{name}");
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(o.Model))
        {
            errors.Add("--model is required");
        }
        if (o.Port is null && int.TryParse(environment("PORT"), out var envPort))
        {
            o.Port = envPort;
        }
        o.EnableLora |= loraSeen;
        if (o.Engine == BackendEngine.Vllm)
        {
            o.EnableMetrics = true;
            o.AllowRuntimeLora |= environment("VLLM_ALLOW_RUNTIME_LORA_UPDATING") is { } gate
                && (gate.Equals("true", StringComparison.OrdinalIgnoreCase) || gate == "1");
        }
        else
        {
            // SGLang's LoRA routes exist whenever the server runs; they only fail without LoRA enabled.
            o.AllowRuntimeLora = true;
        }
        return (o, errors);
    }

    public const string Usage = """
        usage: LlmHost.Simulator --engine vllm|sglang --model NAME [options]
          --served-model-name NAME...   names clients use in "model" (default: --model)
          --lora-modules NAME=PATH...   static LoRA adapters (--lora-paths for SGLang)
          --enable-lora                 enable LoRA (implied by --lora-modules)
          --max-loras N                 adapters in one batch, shown in vllm:lora_requests_info (1)
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
        """;
}
