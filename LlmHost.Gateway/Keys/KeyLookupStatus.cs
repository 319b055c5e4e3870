namespace LlmHost.Gateway.Keys;

/// <summary>The outcome of looking a presented secret up.</summary>
public enum KeyLookupStatus
{
    Valid,
    Unknown,
    Expired,
    Disabled,
}
