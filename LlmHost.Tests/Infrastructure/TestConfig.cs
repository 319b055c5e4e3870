using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;
using Microsoft.Extensions.Options;

namespace LlmHost.Tests.Infrastructure;

/// <summary>A gateway configuration for unit tests: a minimal valid config.yaml plus the given YAML.</summary>
public static class TestConfig
{
    public static IOptionsMonitor<LlmHostConfig> Monitor(string yaml = "")
    {
        var text = yaml + "\nbackends:\n  - { name: b, engine: vllm, mode: external, model: m, url: 'http://127.0.0.1:9' }\n";
        var file = new ReloadableFile<LlmHostConfig>("test.yaml", new LoadedFile<LlmHostConfig>(ConfigLoader.Load(text), []),
            GatewayConfigFile.Load, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        return new ReloadableFileOptionsMonitor<LlmHostConfig>(file);
    }
}
