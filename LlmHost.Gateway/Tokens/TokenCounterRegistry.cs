using System.Collections.Concurrent;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace LlmHost.Gateway.Tokens;

/// <summary>
/// One token counter per configured <c>tokenizer</c> (an encoding name or a <c>tokenizer.json</c> path), shared by
/// every backend naming it. Tokenizers take 0.1–0.7 s and 20–40 MB to build, so they are built once, in the
/// background, and warmed; until one is ready (or if it fails to load) the character-class estimate stands in.
/// </summary>
public sealed class TokenCounterRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, ITokenCounter> _ready = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _loading = new(StringComparer.Ordinal);
    private readonly ILogger<TokenCounterRegistry> _logger;
    private readonly string _configDirectory;
    private readonly IDisposable? _subscription;

    public TokenCounterRegistry(IOptionsMonitor<LlmHostConfig> config, ReloadableFile<LlmHostConfig> file, ILogger<TokenCounterRegistry> logger)
    {
        _logger = logger;
        // Tokenizer paths are relative to config.yaml.
        _configDirectory = Path.GetDirectoryName(file.Path) ?? Directory.GetCurrentDirectory();
        Prepare(config.CurrentValue);
        _subscription = config.OnChange((next, _) => Prepare(next));
    }

    /// <summary>The counter for a backend's <c>tokenizer</c> setting; the estimate while it loads or when none is set.</summary>
    public ITokenCounter For(string? tokenizer) =>
        tokenizer is { Length: > 0 } && _ready.TryGetValue(tokenizer, out var counter) ? counter : CharacterClassTokenCounter.Instance;

    public void Dispose() => _subscription?.Dispose();

    /// <summary>Completes when every tokenizer named by the current config has loaded (or failed to).</summary>
    public Task WhenLoadedAsync() => Task.WhenAll(_loading.Values);

    private void Prepare(LlmHostConfig config)
    {
        foreach (var backend in config.Backends)
        {
            if (backend.Tokenizer is { Length: > 0 } spec)
            {
                _loading.GetOrAdd(spec, s => Task.Run(() => Load(s, _configDirectory)));
            }
        }
    }

    private void Load(string spec, string configDirectory)
    {
        try
        {
            var tokenizer = TokenizerNames.IsKnownEncoding(spec)
                ? TiktokenTokenizer.CreateForEncoding(spec)
                : HuggingFaceTokenizer.Load(Path.GetFullPath(spec, configDirectory));
            tokenizer.CountTokens("Warm the tokenizer up before the first request needs it.");
            _ready[spec] = new TokenizerCounter(spec, tokenizer);
            TokensLog.TokenizerLoaded(_logger, spec);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            TokensLog.TokenizerFailed(_logger, spec, ex);
        }
    }
}
