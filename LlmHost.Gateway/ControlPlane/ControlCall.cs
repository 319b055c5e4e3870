namespace LlmHost.Gateway.ControlPlane;

/// <summary>The kinds of engine calls, each with its own pipeline (the breaker is shared by the other two).</summary>
public enum ControlCall
{
    Read,
    Write,
    Breaker,
}
