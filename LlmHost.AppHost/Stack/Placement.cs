namespace LlmHost.AppHost.Stack;

/// <summary>How a supporting piece of the stack (edge, monitoring, limit store) runs on this machine.</summary>
public enum Placement
{
    LeftOut,
    Executable,
    Container,
}
