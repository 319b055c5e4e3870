using System.Text.Json;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;

namespace LlmHost.Gateway.Adapters;

/// <summary>
/// Reads <c>adapters.json</c> (beside the key file unless <c>--adapters</c> names another). A missing file is an empty
/// catalogue; a file that does not validate keeps the gateway from starting, or a reload from applying, with every
/// problem listed.
/// </summary>
public static class AdapterFileLoader
{
    public const string PathKey = "adapters";

    /// <summary>The path given by <c>--adapters</c>, else <c>adapters.json</c> beside <paramref name="keysPath"/>.</summary>
    public static string ResolvePath(IConfiguration configuration, string keysPath) =>
        Path.GetFullPath(configuration[PathKey] ?? Path.Combine(Path.GetDirectoryName(keysPath)!, "adapters.json"), Directory.GetCurrentDirectory());

    public static LoadedFile<AdapterFile> LoadFile(string path)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                return new LoadedFile<AdapterFile>(new AdapterFile(), []);
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, [new ConfigError("", null, $"cannot be read: {ex.Message}")]);
        }
        var (file, errors) = Load(bytes);
        return errors.Count == 0 ? new LoadedFile<AdapterFile>(file!, []) : throw new ConfigException(path, errors);
    }

    public static (AdapterFile? File, List<ConfigError> Errors) Load(ReadOnlySpan<byte> json)
    {
        AdapterFile? file;
        try
        {
            file = JsonSerializer.Deserialize(json, AdapterJsonContext.Default.AdapterFile);
        }
        catch (JsonException ex)
        {
            return (null, [new ConfigError(ex.Path?.TrimStart('$', '.') ?? "", ex.LineNumber is { } l ? (int)l + 1 : null, ex.Message)]);
        }
        if (file?.Adapters is null)
        {
            return (null, [new ConfigError("", 1, "the file must hold an object {\"adapters\": [...]}")]);
        }
        var errors = new List<ConfigError>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < file.Adapters.Count; i++)
        {
            foreach (var problem in Problems(file.Adapters[i]))
            {
                errors.Add(new ConfigError($"adapters[{i}]", null, problem));
            }
            if (file.Adapters[i]?.Name is { } name && !names.Add(name))
            {
                errors.Add(new ConfigError($"adapters[{i}].name", null, $"'{name}' is registered twice"));
            }
        }
        return (file, errors);
    }

    /// <summary>What is wrong with one registration (nothing when it is usable).</summary>
    public static IEnumerable<string> Problems(AdapterRegistration? entry)
    {
        if (entry is null)
        {
            yield return "must be an object";
            yield break;
        }
        if (!IsName(entry.Name))
        {
            yield return $"name: must be {LlmHost.Backends.Engines.AdapterName.Rule}";
        }
        if (string.IsNullOrWhiteSpace(entry.Path) || entry.Path.Length > LlmHost.Backends.Engines.AdapterName.MaxPathLength)
        {
            yield return $"path: is required (at most {LlmHost.Backends.Engines.AdapterName.MaxPathLength} characters)";
        }
        if (string.IsNullOrWhiteSpace(entry.BaseModel) || entry.BaseModel.Length > 256)
        {
            yield return "base_model: is required";
        }
    }

    /// <summary>An adapter name clients can put in <c>model</c> and SGLang in <c>base:adapter</c>.</summary>
    public static bool IsName(string? name) => LlmHost.Backends.Engines.AdapterName.IsValid(name);
}
