namespace LlmHost.Gateway.Proxy;

/// <summary>Why a body could not be used.</summary>
public enum InspectionFailure
{
    None,

    /// <summary>Over <c>gateway.max_request_body_mb</c>: 413.</summary>
    TooLarge,

    /// <summary>Not a usable request (malformed JSON, wrong types, a refused field): 400.</summary>
    Invalid,

    /// <summary>The body budget (per key or in total) is spent: 429.</summary>
    OverBudget,

    /// <summary>The client sent its body too slowly (<c>gateway.server.min_request_body_rate</c>): 408.</summary>
    TimedOut,

    /// <summary>The client went away while sending: nobody to answer (recorded as 499).</summary>
    ClientGone,
}
