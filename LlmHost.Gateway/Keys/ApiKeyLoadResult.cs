using LlmHost.Backends.Configuration;

namespace LlmHost.Gateway.Keys;

/// <summary>What loading the key file gave: the keys (when valid), every problem, and migration warnings.</summary>
public sealed record ApiKeyLoadResult(ApiKeyFile? File, IReadOnlyList<ApiKey> Keys, List<ConfigError> Errors, List<string> Warnings);
