using System.Globalization;

namespace LlmHost.Gateway.StoredResponses;

/// <summary>
/// Who a stored response belongs to: the engine instance that keeps it, the key that created it, the model it was
/// asked of — and the tokens of its conversation so far (its prompt and its answer), which a follow-up's engine reads
/// again before the new input: a follow-up reserves them too.
/// </summary>
public sealed record ResponseOwner(string Instance, string KeyId, string Model, long ConversationTokens = 0)
{
    // Stored in Redis as four lines; no part holds a line break (instance and key names are checked at load, a model
    // name with one is not remembered).
    internal string Serialize() => string.Create(CultureInfo.InvariantCulture, $"{Instance}\n{KeyId}\n{Model}\n{ConversationTokens}");

    internal static ResponseOwner? Parse(string? text) =>
        text?.Split('\n') is [var instance, var key, var model, var tokens] && long.TryParse(tokens, CultureInfo.InvariantCulture, out var conversation)
            ? new ResponseOwner(instance, key, model, conversation)
            : null;
}
