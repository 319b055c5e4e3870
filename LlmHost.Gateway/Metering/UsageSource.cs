namespace LlmHost.Gateway.Metering;

/// <summary>Where a request's token counts came from.</summary>
public enum UsageSource
{
    /// <summary>No usage is known (error, or an answer without usage or content).</summary>
    None,

    /// <summary>The backend reported usage (JSON body or the final SSE chunk).</summary>
    Reported,

    /// <summary>No usage arrived: completion tokens were counted from the streamed deltas; prompt tokens are unknown.</summary>
    Counted,
}
