namespace LlmHost.Backends.Engines;

public enum DeploymentMode
{
    /// <summary>A container when a container engine answers, else the simulator.</summary>
    Auto,
    Container,
    Simulator,
    External,

    /// <summary>The engine's own Python program on this machine (<c>vllm serve</c>, <c>sglang.launch_server</c>).</summary>
    Process,
}
