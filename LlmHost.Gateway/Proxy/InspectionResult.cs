using LlmHost.Gateway.RateLimiting;

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

/// <summary>What reading and inspecting a body gave: a usable request, or why the gateway must refuse it.</summary>
public readonly record struct InspectionResult(InspectedRequest? Request, InspectionFailure Failure, string? Error, string? Param, LimitKind Budget)
{
    public static InspectionResult TooLarge => new(null, InspectionFailure.TooLarge, null, null, LimitKind.None);

    public static InspectionResult TimedOut => new(null, InspectionFailure.TimedOut, null, null, LimitKind.None);

    public static InspectionResult ClientGone => new(null, InspectionFailure.ClientGone, null, null, LimitKind.None);

    public static InspectionResult Ok(InspectedRequest request) => new(request, InspectionFailure.None, null, null, LimitKind.None);

    public static InspectionResult Invalid(string error, string? param) => new(null, InspectionFailure.Invalid, error, param, LimitKind.None);

    public static InspectionResult OverBudget(LimitKind budget) => new(null, InspectionFailure.OverBudget, null, null, budget);
}
