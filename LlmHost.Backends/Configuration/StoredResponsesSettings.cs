namespace LlmHost.Backends.Configuration;

/// <summary>
/// <c>routing.stored_responses</c>: the gateway's memory of which engine instance created each Responses API
/// response (engines keep responses in their own memory, so a follow-up must reach that instance), and which key.
/// </summary>
public sealed class StoredResponsesSettings
{
    /// <summary>Responses remembered per key at most, per gateway replica (the key's least recently used forgotten first).</summary>
    public int MaxResponsesPerKey { get; set; } = 10_000;

    /// <summary>A response not used for this long is forgotten (a follow-up then gets 404).</summary>
    public TimeSpan Expiry { get; set; } = TimeSpan.FromHours(24);
}
