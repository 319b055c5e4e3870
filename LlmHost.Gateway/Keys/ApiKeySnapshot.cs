using System.Collections.Frozen;

namespace LlmHost.Gateway.Keys;

/// <summary>An immutable set of keys, indexed by secret hash (current and, during a rotation, previous) and by id.</summary>
public sealed class ApiKeySnapshot
{
    private readonly FrozenDictionary<Sha256Hash, ApiKey> _byHash;

    public ApiKeySnapshot(IReadOnlyList<ApiKey> keys)
    {
        var byHash = new Dictionary<Sha256Hash, ApiKey>(keys.Count * 2);
        var byId = new Dictionary<string, ApiKey>(keys.Count, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            byHash[key.Hash] = key;
            if (key.PreviousHash is { } previous)
            {
                byHash.TryAdd(previous, key);
            }
            byId[key.Id] = key;
        }
        _byHash = byHash.ToFrozenDictionary();
        ById = byId.ToFrozenDictionary(StringComparer.Ordinal);
        Keys = keys;
    }

    public static ApiKeySnapshot Empty { get; } = new([]);

    public IReadOnlyList<ApiKey> Keys { get; }

    public FrozenDictionary<string, ApiKey> ById { get; }

    /// <summary>Finds the key of <paramref name="secret"/>: hash, O(1) lookup, then a constant-time check.</summary>
    public KeyLookupStatus Lookup(ReadOnlySpan<char> secret, DateTimeOffset now, out ApiKey? key)
    {
        var hash = Sha256Hash.Of(secret);
        if (!_byHash.TryGetValue(hash, out key))
        {
            return KeyLookupStatus.Unknown;
        }
        var current = key.Hash.FixedTimeEquals(hash);
        if (!current && (key.PreviousHash is not { } previous || !previous.FixedTimeEquals(hash) || now >= key.PreviousValidUntil))
        {
            // A previous secret whose overlap period is over.
            key = null;
            return KeyLookupStatus.Unknown;
        }
        if (key.Disabled)
        {
            return KeyLookupStatus.Disabled;
        }
        return key.IsExpired(now) ? KeyLookupStatus.Expired : KeyLookupStatus.Valid;
    }
}
