namespace LlmHost.Gateway.Adapters;

/// <summary>
/// The outcome of an admin load or unload: refused before any engine was called (<see cref="Error"/>, with its
/// status), or each instance's answer.
/// </summary>
public sealed record AdapterOperation(int Status, string? Error, string? Param, IReadOnlyList<InstanceOutcome> Outcomes, bool Registered)
{
    public static AdapterOperation Refused(int status, string error, string? param = null) => new(status, error, param, [], false);

    public int Failed => Outcomes.Count(o => !o.Result.Succeeded);
}
