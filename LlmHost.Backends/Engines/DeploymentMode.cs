namespace LlmHost.Backends.Engines;

public enum DeploymentMode
{
    /// <summary>A container when a container engine answers, else the simulator.</summary>
    Auto,
    Container,
    Simulator,
    External,
}
