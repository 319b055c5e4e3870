using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.HostProcess;

/// <summary>A vLLM or SGLang server run by the AppHost as a program of a Python environment on this machine.</summary>
public sealed class EngineProcessResource(string name, BackendSettings backend, string python, string workingDirectory)
    : ExecutableResource(name, python, workingDirectory), IResourceWithServiceDiscovery
{
    /// <summary>The config.yaml entry this server was built from.</summary>
    public BackendSettings Backend { get; } = backend;
}
