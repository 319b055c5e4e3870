namespace LlmHost.Backends.Configuration;

public sealed class LoraModuleSettings
{
    public string Name { get; set; } = "";
    public string Path { get; set; } = "";
}
