namespace LlmHost.Gateway.StoredResponses;

/// <summary>Who a stored response belongs to: the engine instance that keeps it, the key that created it, the model it was asked of.</summary>
public sealed record ResponseOwner(string Instance, string KeyId, string Model)
{
    // Stored in Redis as three lines; none of the parts holds a line break (instance and key names are checked at load).
    internal string Serialize() => $"{Instance}\n{KeyId}\n{Model}";

    internal static ResponseOwner? Parse(string? text) =>
        text?.Split('\n') is [var instance, var key, var model] ? new ResponseOwner(instance, key, model) : null;
}
