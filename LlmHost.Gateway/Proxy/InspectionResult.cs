using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Gateway.Proxy;

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
