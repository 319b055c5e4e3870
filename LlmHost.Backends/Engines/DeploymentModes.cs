namespace LlmHost.Backends.Engines;

public static class DeploymentModes
{
    public static readonly string[] Names = ["auto", "container", "process", "simulator", "external"];

    public static DeploymentMode? Parse(string? value) => value switch
    {
        "auto" => DeploymentMode.Auto,
        "container" => DeploymentMode.Container,
        "simulator" => DeploymentMode.Simulator,
        "external" => DeploymentMode.External,
        "process" => DeploymentMode.Process,
        _ => null,
    };
}
