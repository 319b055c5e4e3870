namespace LlmHost.AppHost.Stack;

/// <summary>Where a piece runs, the program's path when it is a local executable, and why (for the console).</summary>
public sealed record PlacementChoice(Placement Placement, string? ExecutablePath, string Reason)
{
    public static PlacementChoice LeftOut(string reason) => new(Placement.LeftOut, null, reason);
}
