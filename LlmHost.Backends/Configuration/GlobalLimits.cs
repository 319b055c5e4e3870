namespace LlmHost.Backends.Configuration;

public sealed class GlobalLimits
{
    public int Concurrency { get; set; } = 1024;
}
