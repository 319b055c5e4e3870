namespace LlmHost.Gateway.Keys;

/// <summary>A loaded key, ready for lookups: hashes parsed, model patterns compiled.</summary>
public sealed class ApiKey
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Role { get; init; }
    public required Sha256Hash Hash { get; init; }
    public Sha256Hash? PreviousHash { get; init; }
    public DateTimeOffset? PreviousValidUntil { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool Disabled { get; init; }
    public required ModelPatterns Models { get; init; }
    public KeyLimitsEntry? Limits { get; init; }

    /// <summary>The access log keeps this key's bodies (a debugging switch, off unless set in the key file).</summary>
    public bool LogBodies { get; init; }

    public bool IsAdmin => Role == ApiKeyRoles.Admin;

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expiry && now >= expiry;
}
