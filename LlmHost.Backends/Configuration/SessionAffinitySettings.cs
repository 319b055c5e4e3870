namespace LlmHost.Backends.Configuration;

/// <summary>
/// <c>routing.session_affinity</c>: a conversation named by a header (or the body's <c>user</c> field) keeps going to the
/// instance it went to first, while that instance is available and not much busier than the least loaded one.
/// </summary>
public sealed class SessionAffinitySettings
{
    /// <summary>The request header that names a session (e.g. <c>x-session-id</c>); none by default.</summary>
    public string? Header { get; set; }

    /// <summary>Without the header, the body's <c>user</c> field names the session.</summary>
    public bool UserField { get; set; }

    /// <summary>The models it applies to; empty: every model.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Sessions remembered at most (the least recently used forgotten first).</summary>
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>A session unused this long starts over.</summary>
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromMinutes(30);

    public bool Enabled => Header is { Length: > 0 } || UserField;

    public bool AppliesTo(string model) => Enabled && (Models.Count == 0 || Models.Contains(model));
}
