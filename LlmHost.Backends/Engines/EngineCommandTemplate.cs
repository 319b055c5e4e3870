using System.Text;
using System.Text.RegularExpressions;

namespace LlmHost.Backends.Engines;

/// <summary>
/// An operator's own engine command line (<c>backends[].command_template</c>, like the seed's
/// <c>vllm_start_cmd.txt</c>): the arguments after <c>vllm serve</c> or <c>python -m sglang.launch_server</c>, with
/// placeholders for what LlmHost must control — <c>{model}</c>, <c>{served_model_name}</c>, <c>{host}</c>,
/// <c>{port}</c> (all required), and optionally <c>{tensor_parallel_size}</c>, <c>{max_model_len}</c>,
/// <c>{gpu_memory_utilization}</c>. A flag LlmHost sets may only be followed by its placeholder; LoRA and sleep
/// flags, GPU selection and the engine's prefix (<c>vllm serve</c>, …) are LlmHost's alone. Lines may end with
/// <c>\</c> and <c>#</c> starts a comment, as in a shell script; arguments are separated by white space (no quoting).
/// </summary>
public sealed partial class EngineCommandTemplate
{
    public static readonly string[] Required = ["model", "served_model_name", "host", "port"];
    public static readonly string[] Optional = ["tensor_parallel_size", "max_model_len", "gpu_memory_utilization"];

    private EngineCommandTemplate(IReadOnlyList<string> tokens) => Tokens = tokens;

    /// <summary>The template's arguments, placeholders unreplaced.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Reads a template for <paramref name="profile"/>'s engine; every problem is one message.</summary>
    public static (EngineCommandTemplate? Template, List<string> Problems) Parse(string text, EngineProfile profile)
    {
        var tokens = Split(text);
        StripPrefix(tokens, profile);
        var problems = new List<string>();
        foreach (var name in Required)
        {
            if (!tokens.Exists(t => t.Contains($"{{{name}}}", StringComparison.Ordinal)))
            {
                problems.Add($"lacks the placeholder {{{name}}} (LlmHost must set it)");
            }
        }
        for (var i = 0; i < tokens.Count; i++)
        {
            CheckToken(tokens, i, profile, problems);
        }
        if (tokens.Exists(t => t.Contains("{port}", StringComparison.Ordinal) && t != "{port}"))
        {
            problems.Add("{port} must be an argument of its own (--port {port}): for a host process it is known only at run time");
        }
        return (problems.Count == 0 ? new EngineCommandTemplate(tokens) : null, problems);
    }

    /// <summary>The arguments with the placeholders replaced; a token that is exactly one placeholder takes its value as is (an object, such as a port known only at run time).</summary>
    public IEnumerable<object> Render(IReadOnlyDictionary<string, object?> values)
    {
        foreach (var token in Tokens)
        {
            var whole = Placeholder().Match(token);
            if (whole.Success && whole.Length == token.Length)
            {
                if (values.TryGetValue(whole.Groups[1].Value, out var value) && value is not null)
                {
                    yield return value;
                }
                continue;
            }
            yield return Placeholder().Replace(token, m => values.TryGetValue(m.Groups[1].Value, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "" : m.Value);
        }
    }

    private static void CheckToken(List<string> tokens, int i, EngineProfile profile, List<string> problems)
    {
        var token = tokens[i];
        foreach (Match match in Placeholder().Matches(token))
        {
            var name = match.Groups[1].Value;
            if (Array.IndexOf(Required, name) < 0 && Array.IndexOf(Optional, name) < 0)
            {
                problems.Add($"{{{name}}} is not a placeholder LlmHost fills ({string.Join(", ", Required.Concat(Optional).Select(p => $"{{{p}}}"))})");
            }
        }
        var flag = Canonical(token.Split('=')[0], profile);
        if (OwnedFlags(profile).Contains(flag))
        {
            problems.Add($"{flag} is LlmHost's to set (lora, sleep and container settings in config.yaml)");
            return;
        }
        if (ControlledFlags(profile).TryGetValue(flag, out var placeholder))
        {
            var value = token.Contains('=') ? token[(token.IndexOf('=') + 1)..] : i + 1 < tokens.Count ? tokens[i + 1] : "";
            if (value != $"{{{placeholder}}}")
            {
                problems.Add($"{flag} must be followed by {{{placeholder}}}: LlmHost sets it");
            }
        }
        if (token.StartsWith("CUDA_VISIBLE_DEVICES", StringComparison.Ordinal) || token == "--gpus")
        {
            problems.Add($"{token.Split('=')[0]}: GPUs are chosen by container.gpus");
        }
    }

    // vLLM takes --max_model_len for --max-model-len, and both engines have short or alternative names: one name each.
    private static string Canonical(string flag, EngineProfile profile)
    {
        if (!flag.StartsWith("--", StringComparison.Ordinal))
        {
            return flag == "-tp" ? profile.Launch.TensorParallelFlag : flag;
        }
        flag = "--" + flag[2..].Replace('_', '-');
        return flag switch
        {
            "--tp-size" or "--tensor-parallel-size" or "--tp" => profile.Launch.TensorParallelFlag,
            "--model" when profile.Launch.ModelFlag is not null => profile.Launch.ModelFlag,
            _ => flag,
        };
    }

    // Flags whose value LlmHost decides: allowed only with their placeholder.
    private static Dictionary<string, string> ControlledFlags(EngineProfile profile)
    {
        var launch = profile.Launch;
        var flags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--served-model-name"] = "served_model_name",
            ["--host"] = "host",
            ["--port"] = "port",
            [launch.TensorParallelFlag] = "tensor_parallel_size",
            [launch.ContextLengthFlag] = "max_model_len",
            [launch.GpuMemoryFlag] = "gpu_memory_utilization",
        };
        if (launch.ModelFlag is { } modelFlag)
        {
            flags[modelFlag] = "model";
        }
        return flags;
    }

    // Flags only LlmHost writes (the gateway relies on them).
    private static HashSet<string> OwnedFlags(EngineProfile profile)
    {
        var launch = profile.Launch;
        var owned = new HashSet<string>(StringComparer.Ordinal) { "--enable-lora", "--max-lora-rank", launch.LoraModulesFlag };
        owned.UnionWith(launch.MaxLorasFlags);
        owned.UnionWith(launch.RuntimeLoraFlags.Where(f => f.StartsWith("--", StringComparison.Ordinal)));
        if (profile.Sleep is { } sleep)
        {
            owned.UnionWith(sleep.Flags);
        }
        return owned;
    }

    private static List<string> Split(string text)
    {
        var joined = new StringBuilder();
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            var line = raw.Trim();
            var comment = line.StartsWith('#') ? 0 : line.IndexOf(" #", StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment].TrimEnd();
            }
            joined.Append(line.EndsWith('\\') ? line[..^1] : line).Append(' ');
        }
        return [.. joined.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
    }

    // A pasted whole command: "vllm serve", "python -m sglang.launch_server" or "python3 -m …" is LlmHost's part.
    private static void StripPrefix(List<string> tokens, EngineProfile profile)
    {
        if (tokens.Count >= 2 && tokens[0] == "vllm" && tokens[1] == "serve")
        {
            tokens.RemoveRange(0, 2);
        }
        else if (tokens.Count >= 3 && tokens[0].StartsWith("python", StringComparison.Ordinal) && tokens[1] == "-m")
        {
            tokens.RemoveRange(0, profile.Engine == BackendEngine.Vllm && tokens.Count > 3 && tokens[3] == "serve" ? 4 : 3);
        }
    }

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();
}
