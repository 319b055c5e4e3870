using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Authentication;

/// <summary>The outcome of checking a request's key: the key, or why it is refused (a message without the secret).</summary>
public readonly record struct ApiKeyCheck(ApiKey? Key, string? Failure)
{
    public bool Succeeded => Key is not null;
}
