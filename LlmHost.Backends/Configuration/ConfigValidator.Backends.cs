using LlmHost.Backends.Engines;

namespace LlmHost.Backends.Configuration;

public static partial class ConfigValidator
{
    private static void ValidateBackends(List<BackendSettings> backends, Action<string, string> error)
    {
        if (backends.Count == 0)
        {
            error("backends", "at least one backend is required");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < backends.Count; i++)
        {
            var b = backends[i];
            var at = $"backends[{i}]";
            if (string.IsNullOrEmpty(b.Name))
            {
                error($"{at}.name", "is required");
            }
            else if (!ResourceName().IsMatch(b.Name))
            {
                error($"{at}.name", $"'{b.Name}' must be lower-case letters, digits and hyphens, starting with a letter (at most 48)");
            }
            else if (!names.Add(b.Name))
            {
                error($"{at}.name", $"'{b.Name}' is used by another backend");
            }
            ValidateBackend(b, at, error);
        }
        ValidateSharedAdapters(backends, error);
    }

    // An adapter name several backends declare is one adapter: it must adapt the same model everywhere.
    private static void ValidateSharedAdapters(List<BackendSettings> backends, Action<string, string> error)
    {
        var baseOf = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < backends.Count; i++)
        {
            for (var j = 0; j < backends[i].LoraModules.Count; j++)
            {
                var name = backends[i].LoraModules[j].Name;
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }
                var model = backends[i].EffectiveServedModelName;
                if (baseOf.TryGetValue(name, out var other) && other != model)
                {
                    error($"backends[{i}].lora_modules[{j}].name", $"'{name}' is declared for '{other}' by another backend: one adapter name, one base model");
                }
                baseOf.TryAdd(name, model);
            }
        }
    }

    private static void ValidateBackend(BackendSettings b, string at, Action<string, string> error)
    {
        if (EngineProfile.ParseEngine(b.Engine) is null)
        {
            error($"{at}.engine", $"'{b.Engine}' is not one of {string.Join(", ", EngineProfile.EngineNames)}");
        }
        if (b.Version is not null && EngineVersion.Parse(b.Version) is null)
        {
            error($"{at}.version", $"'{b.Version}' is not an engine release such as 0.11.1");
        }
        var mode = DeploymentModes.Parse(b.Mode);
        if (mode is null)
        {
            error($"{at}.mode", $"'{b.Mode}' is not one of {string.Join(", ", DeploymentModes.Names)}");
        }
        if (string.IsNullOrWhiteSpace(b.Model))
        {
            error($"{at}.model", "is required");
        }
        if (b.Replicas is < 1 or > MaxReplicas)
        {
            error($"{at}.replicas", $"{b.Replicas} is out of range (1 to {MaxReplicas})");
        }
        if (b.MaxModelLen is <= 0)
        {
            error($"{at}.max_model_len", "must be positive");
        }
        if (b.Tokenizer is { Length: > 0 } tokenizer && !TokenizerNames.IsKnownEncoding(tokenizer) && !tokenizer.EndsWith(".json", StringComparison.Ordinal))
        {
            error($"{at}.tokenizer", $"'{tokenizer}' is neither a known encoding ({string.Join(", ", TokenizerNames.Encodings)}) nor a tokenizer.json path");
        }
        if (mode == DeploymentMode.External)
        {
            ValidateExternal(b, at, error);
        }
        if (mode == DeploymentMode.Process && string.IsNullOrWhiteSpace(b.Process.Python))
        {
            error($"{at}.process.python", "is required when mode is process: the Python of the environment the engine is installed in");
        }
        ValidateAdapters(b.LoraModules, at, error);
        ValidateLora(b, at, error);
        ValidateSleep(b, at, error);
        if (b.PriorityScheduling && EngineProfile.ParseEngine(b.Engine) is BackendEngine.Sglang)
        {
            error($"{at}.priority_scheduling", "is for vLLM engines (SGLang's priority values run the other way and are not forwarded)");
        }
        ValidateCommandTemplate(b, at, error);
        ValidateSimulator(b.Simulator, $"{at}.simulator", error);
        ValidateContainer(b.Container, $"{at}.container", error);
    }

    private static void ValidateExternal(BackendSettings b, string at, Action<string, string> error)
    {
        if (string.IsNullOrEmpty(b.Url))
        {
            error($"{at}.url", "is required when mode is external");
        }
        else if (!Uri.TryCreate(b.Url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            error($"{at}.url", $"'{b.Url}' is not an absolute http(s) URL");
        }
        if (b.Replicas != 1)
        {
            error($"{at}.replicas", "must be 1 for an external backend (list each URL as its own backend)");
        }
    }

    private static void ValidateAdapters(List<LoraModuleSettings> modules, string at, Action<string, string> error)
    {
        var adapters = new HashSet<string>(StringComparer.Ordinal);
        for (var j = 0; j < modules.Count; j++)
        {
            var lora = modules[j];
            if (string.IsNullOrWhiteSpace(lora.Name) || lora.Name.Contains(':'))
            {
                error($"{at}.lora_modules[{j}].name", "is required and must not contain ':'");
            }
            else if (!adapters.Add(lora.Name))
            {
                error($"{at}.lora_modules[{j}].name", $"'{lora.Name}' is listed twice");
            }
            if (string.IsNullOrWhiteSpace(lora.Path))
            {
                error($"{at}.lora_modules[{j}].path", "is required");
            }
        }
    }

    private static void ValidateCommandTemplate(BackendSettings b, string at, Action<string, string> error)
    {
        if (b.CommandTemplate is not { } text || EngineProfile.ParseEngine(b.Engine) is not { } engine)
        {
            return;
        }
        var (template, problems) = EngineCommandTemplate.Parse(text, EngineProfile.For(engine));
        foreach (var problem in problems)
        {
            error($"{at}.command_template", problem);
        }
        if (template is null)
        {
            return;
        }
        if (b.MaxModelLen is null && template.Tokens.Any(t => t.Contains("{max_model_len}", StringComparison.Ordinal)))
        {
            error($"{at}.command_template", "uses {max_model_len}, but max_model_len is not set");
        }
        if (b.Container.GpuMemoryUtilization is null && template.Tokens.Any(t => t.Contains("{gpu_memory_utilization}", StringComparison.Ordinal)))
        {
            error($"{at}.command_template", "uses {gpu_memory_utilization}, but container.gpu_memory_utilization is not set");
        }
        if (b.Container.Gpus is { IsAll: false, Devices.Count: > 1 } && !template.Tokens.Any(t => t.Contains("{tensor_parallel_size}", StringComparison.Ordinal)))
        {
            error($"{at}.command_template", "lacks {tensor_parallel_size}, but container.gpus names several devices");
        }
    }

    private static void ValidateSleep(BackendSettings b, string at, Action<string, string> error)
    {
        var sleep = b.Sleep;
        var engineSleep = EngineProfile.ParseEngine(b.Engine) is { } engine ? EngineProfile.For(engine).Sleep : null;
        if (sleep.Enabled && engineSleep is null && EngineProfile.ParseEngine(b.Engine) is not null)
        {
            error($"{at}.sleep.enabled", $"{b.Engine} has no sleep mode LlmHost can drive");
        }
        if (sleep.Level is not (1 or 2))
        {
            error($"{at}.sleep.level", $"{sleep.Level} is not 1 or 2");
        }
        else if (sleep.Enabled && engineSleep is not null && sleep.Level > engineSleep.MaxLevel)
        {
            error($"{at}.sleep.level", $"{sleep.Level}: {b.Engine} sleeps at level 1 only (its memory released, the weights kept in CPU memory)");
        }
        else if (sleep.Enabled && sleep.Level == 2 && b.Lora.Enabled)
        {
            error($"{at}.sleep.level", "2 with LoRA enabled: vLLM's weight reload after a level-2 sleep is not reliable with LoRA; use level 1 or lora.enabled: false");
        }
        if (sleep.IdleAfter is { } idle)
        {
            if (!sleep.Enabled)
            {
                error($"{at}.sleep.idle_after", "is set, but sleep.enabled is false");
            }
            CheckDuration($"{at}.sleep.idle_after", idle, TimeSpan.FromSeconds(1), error);
        }
        CheckDuration($"{at}.sleep.wake_timeout", sleep.WakeTimeout, TimeSpan.FromSeconds(1), error);
    }

    private static void ValidateLora(BackendSettings b, string at, Action<string, string> error)
    {
        var lora = b.Lora;
        if (!lora.Enabled && b.LoraModules.Count > 0)
        {
            error($"{at}.lora.enabled", "is false, but lora_modules lists adapters: enable LoRA or remove them");
        }
        if (lora.MaxLoaded is < 1 or > 256)
        {
            error($"{at}.lora.max_loaded", $"{lora.MaxLoaded} is out of range (1 to 256)");
        }
        else if (lora.Enabled && b.LoraModules.Count > lora.MaxLoaded)
        {
            error($"{at}.lora.max_loaded", $"{lora.MaxLoaded} is fewer than the {b.LoraModules.Count} adapters lora_modules loads at start");
        }
        if (Array.IndexOf(LoraSettings.Ranks, lora.MaxRank) < 0)
        {
            error($"{at}.lora.max_rank", $"{lora.MaxRank} is not one of {string.Join(", ", LoraSettings.Ranks)}");
        }
        if (lora.SpreadAt is < 1 or > 100_000)
        {
            error($"{at}.lora.spread_at", $"{lora.SpreadAt} is out of range (1 to 100000)");
        }
        CheckDuration($"{at}.lora.load_timeout", lora.LoadTimeout, TimeSpan.FromSeconds(1), error);
        CheckDuration($"{at}.lora.wait_timeout", lora.WaitTimeout, TimeSpan.FromSeconds(1), error);
        CheckDuration($"{at}.lora.min_idle", lora.MinIdle, TimeSpan.Zero, error);
    }

    private static void ValidateContainer(ContainerSettings container, string at, Action<string, string> error)
    {
        if (container.TensorParallelSize < 1)
        {
            error($"{at}.tensor_parallel_size", "must be at least 1");
        }
        if (container.GpuMemoryUtilization is <= 0 or > 1)
        {
            error($"{at}.gpu_memory_utilization", "must be in (0, 1]");
        }
        if (container.Gpus is null)
        {
            error($"{at}.gpus", "must not be empty: all, a count, or device ids");
        }
        else if (container.Gpus.Devices.Count != container.Gpus.Devices.Distinct().Count())
        {
            error($"{at}.gpus", $"{container.Gpus} names a device twice");
        }
        else if (!container.Gpus.IsAll && container.TensorParallelSize != container.Gpus.Devices.Count)
        {
            error($"{at}.tensor_parallel_size", $"{container.TensorParallelSize} does not match the {container.Gpus.Devices.Count} GPU(s) of gpus: {container.Gpus}");
        }
    }

    private static void ValidateSimulator(SimulatorSettings s, string at, Action<string, string> error)
    {
        if (s.TtftMs < 0)
        {
            error($"{at}.ttft_ms", "must not be negative");
        }
        if (s.ItlMs < 0)
        {
            error($"{at}.itl_ms", "must not be negative");
        }
        if (s.MaxNumSeqs < 1)
        {
            error($"{at}.max_num_seqs", "must be at least 1");
        }
        if (s.LoraLoadMs is < 0 or > 600_000)
        {
            error($"{at}.lora_load_ms", $"{s.LoraLoadMs} is out of range (0 to 600000)");
        }
        if (s.WakeMs is < 0 or > 600_000)
        {
            error($"{at}.wake_ms", $"{s.WakeMs} is out of range (0 to 600000)");
        }
        if (s.FailureRate is < 0 or > 1)
        {
            error($"{at}.failure_rate", "must be between 0 and 1");
        }
    }
}
