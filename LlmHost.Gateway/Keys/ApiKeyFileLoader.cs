using System.Text.Json;
using System.Text.RegularExpressions;
using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Keys;

/// <summary>Parses and validates <c>api_keys.json</c>, reporting every problem with its path and line.</summary>
public static partial class ApiKeyFileLoader
{
    public const string PathKey = "keys";
    public const string DefaultPath = "config/api_keys.json";

    /// <summary>The path given by <c>--keys</c> (relative to the working directory), or the default.</summary>
    public static string ResolvePath(IConfiguration configuration) =>
        Path.GetFullPath(configuration[PathKey] ?? DefaultPath, Directory.GetCurrentDirectory());

    /// <summary>The keys of the file at <paramref name="path"/>; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static Configuration.LoadedFile<ApiKeySnapshot> LoadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, [new ConfigError("", null, $"cannot be read: {ex.Message}")]);
        }
        return Snapshot(Load(bytes), path);
    }

    /// <summary>A loaded file as the keys in use, or the problems that keep it from being used.</summary>
    public static Configuration.LoadedFile<ApiKeySnapshot> Snapshot(ApiKeyLoadResult result, string path) =>
        result.Errors.Count == 0 ? new(new ApiKeySnapshot(result.Keys), result.Warnings) : throw new ConfigException(path, result.Errors);

    public static ApiKeyLoadResult Load(ReadOnlySpan<byte> json)
    {
        if (Deserialize(json, out var refused) is not { } file)
        {
            return refused!;
        }
        var check = new EntryCheck();
        var keys = new List<ApiKey>(file.Keys.Count);
        for (var i = 0; i < file.Keys.Count; i++)
        {
            if (check.Key(file.Keys[i], $"keys[{i}]") is { } key)
            {
                keys.Add(key);
            }
        }
        if (check.Problems.Count == 0)
        {
            return new ApiKeyLoadResult(file, keys, [], check.Warnings);
        }
        // Lines are looked up only when something is wrong: mapping every path of a 100,000-key file costs time.
        var lines = JsonLineMap.Build(json);
        var errors = new List<ConfigError>(check.Problems.Count);
        foreach (var (path, message) in check.Problems)
        {
            errors.Add(new ConfigError(path, ConfigLines.Find(lines, path), message));
        }
        return new ApiKeyLoadResult(null, [], errors, check.Warnings);
    }

    private static ApiKeyFile? Deserialize(ReadOnlySpan<byte> json, out ApiKeyLoadResult? refused)
    {
        refused = null;
        try
        {
            if (JsonSerializer.Deserialize(json, ApiKeyJsonContext.Default.ApiKeyFile) is { } file)
            {
                return file;
            }
            refused = new ApiKeyLoadResult(null, [], [new ConfigError("", 1, "the file must hold an object {\"keys\": [...]}")], []);
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) ? "" : ex.Path.TrimStart('$', '.');
            var reason = ex.InnerException?.Message ?? ex.Message;
            var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
            refused = new ApiKeyLoadResult(null, [], [new ConfigError(path, ex.LineNumber is { } l ? (int)l + 1 : null, cut > 0 ? reason[..cut] : reason)], []);
        }
        return null;
    }

    /// <summary>The checks of every entry, with what they need across entries (ids and secrets must be unique).</summary>
    private sealed class EntryCheck
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private readonly HashSet<Sha256Hash> _hashes = [];

        public List<(string Path, string Message)> Problems { get; } = [];
        public List<string> Warnings { get; } = [];

        public ApiKey? Key(ApiKeyEntry? entry, string at)
        {
            if (entry is null)
            {
                Error(at, "must be an object");
                return null;
            }
            if (!IdPattern().IsMatch(entry.Id ?? ""))
            {
                Error($"{at}.id", $"'{entry.Id}' must be 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or digit");
            }
            else if (!_ids.Add(entry.Id!))
            {
                Error($"{at}.id", $"'{entry.Id}' is used by another key");
            }
            if (entry.Role is not (ApiKeyRoles.Admin or ApiKeyRoles.User))
            {
                Error($"{at}.role", $"'{entry.Role}' is not one of admin, user");
            }
            var hash = Secret(entry, at);
            var previous = PreviousSecret(entry, at);
            for (var j = 0; j < (entry.Models?.Count ?? 0); j++)
            {
                if (string.IsNullOrWhiteSpace(entry.Models![j]))
                {
                    Error($"{at}.models[{j}]", "must be a model name or pattern");
                }
            }
            ValidateLimits(entry.Limits, $"{at}.limits", Error);
            return new ApiKey
            {
                Id = entry.Id ?? "",
                Name = entry.Name ?? entry.Id ?? "",
                Role = entry.Role ?? ApiKeyRoles.User,
                Hash = hash,
                PreviousHash = previous,
                PreviousValidUntil = entry.PreviousValidUntil,
                ExpiresAt = entry.ExpiresAt,
                Disabled = entry.Disabled,
                Models = new ModelPatterns(entry.Models),
                Limits = entry.Limits,
                LogBodies = entry.LogBodies == true,
            };
        }

        // The secret's hash: key_sha256, or a plaintext key being migrated (with a warning); unique across keys.
        private Sha256Hash Secret(ApiKeyEntry entry, string at)
        {
            Sha256Hash hash = default;
            if (entry.KeySha256 is not null && entry.Key is not null)
            {
                Error(at, "has both key_sha256 and key: keep only key_sha256");
            }
            else if (entry.KeySha256 is not null)
            {
                if (!Sha256Hash.TryParseHex(entry.KeySha256, out hash))
                {
                    Error($"{at}.key_sha256", "must be 64 hexadecimal characters");
                }
            }
            else if (!string.IsNullOrEmpty(entry.Key))
            {
                hash = Sha256Hash.Of(entry.Key);
                Warnings.Add($"{at} ('{entry.Id}') stores its secret in plain text: replace \"key\" with \"key_sha256\": \"{hash.ToHex()}\"");
            }
            else
            {
                Error(at, "needs key_sha256 (or, for migration, a plaintext key)");
            }
            if (hash != default && !_hashes.Add(hash))
            {
                Error(at, "has the same secret as another key");
            }
            return hash;
        }

        // The secret a rotation replaced, valid until previous_valid_until.
        private Sha256Hash? PreviousSecret(ApiKeyEntry entry, string at)
        {
            if (entry.PreviousKeySha256 is null)
            {
                return null;
            }
            if (!Sha256Hash.TryParseHex(entry.PreviousKeySha256, out var previous))
            {
                Error($"{at}.previous_key_sha256", "must be 64 hexadecimal characters");
                return null;
            }
            if (entry.PreviousValidUntil is null)
            {
                Error($"{at}.previous_valid_until", "is required with previous_key_sha256");
                return null;
            }
            return previous;
        }

        private void Error(string path, string message) => Problems.Add((path, message));
    }

    private static void ValidateLimits(KeyLimitsEntry? limits, string at, Action<string, string> error)
    {
        if (limits is null)
        {
            return;
        }
        foreach (var (field, problem) in LimitRanges.Check(limits.Qps, limits.Burst, limits.Concurrency, limits.Tpm))
        {
            error($"{at}.{field}", problem);
        }
        if (limits.Weight is < 1 or > FlowControl.FlowQueue.MaxWeight)
        {
            error($"{at}.weight", $"{limits.Weight} is out of range (1 to {FlowControl.FlowQueue.MaxWeight})");
        }
        if (limits.MaxPriority is { } priority && FlowControl.RequestPriorities.Parse(priority) is null)
        {
            error($"{at}.max_priority", "must be interactive, default or batch");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,31}$")]
    public static partial Regex IdPattern();
}
