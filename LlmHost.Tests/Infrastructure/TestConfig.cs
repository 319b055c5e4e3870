using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmHost.Tests.Infrastructure;

/// <summary>A gateway configuration for unit tests: a minimal valid config.yaml plus the given YAML.</summary>
public static class TestConfig
{
    public static GatewayConfigProvider Provider(string yaml = "")
    {
        var text = yaml + "\nbackends:\n  - { name: b, engine: vllm, mode: external, model: m, url: 'http://127.0.0.1:9' }\n";
        return new GatewayConfigProvider(new GatewayConfig(ConfigLoader.Load(text), "test.yaml"), NullLogger<GatewayConfigProvider>.Instance);
    }
}
