namespace LlmHost.Gateway.FlowControl;

/// <summary>The class a request is queued in; lower values are dispatched first.</summary>
public enum RequestPriority
{
    Interactive = 0,
    Default = 1,
    Batch = 2,
}

public static class RequestPriorities
{
    public const int Count = 3;

    /// <summary>The request header that asks for a class.</summary>
    public const string Header = "x-llmhost-priority";

    public static RequestPriority? Parse(ReadOnlySpan<char> name) =>
        name.Equals("interactive", StringComparison.OrdinalIgnoreCase) ? RequestPriority.Interactive
        : name.Equals("default", StringComparison.OrdinalIgnoreCase) ? RequestPriority.Default
        : name.Equals("batch", StringComparison.OrdinalIgnoreCase) ? RequestPriority.Batch
        : null;

    public static string Label(this RequestPriority priority) => priority switch
    {
        RequestPriority.Interactive => "interactive",
        RequestPriority.Batch => "batch",
        _ => "default",
    };

    /// <summary>vLLM's <c>priority</c> for the class (lower runs first under <c>--scheduling-policy priority</c>).</summary>
    public static int EngineValue(this RequestPriority priority) => (int)priority - 1;

    /// <summary>The class asked for, lowered to the key's cap (a key without one may ask for <c>default</c> at most).</summary>
    public static RequestPriority Capped(RequestPriority? asked, string? keyMaximum)
    {
        var cap = keyMaximum is { } max ? Parse(max) ?? RequestPriority.Default : RequestPriority.Default;
        var wanted = asked ?? RequestPriority.Default;
        return wanted < cap ? cap : wanted;
    }
}
