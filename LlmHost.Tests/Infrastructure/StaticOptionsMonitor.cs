using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;

namespace LlmHost.Tests.Infrastructure;

/// <summary>A configuration that never changes, for components built without a host.</summary>
public sealed class StaticOptionsMonitor(LlmHostConfig value) : IOptionsMonitor<LlmHostConfig>
{
    public LlmHostConfig CurrentValue => value;
    public LlmHostConfig Get(string? name) => value;
    public IDisposable? OnChange(Action<LlmHostConfig, string?> listener) => null;
}
