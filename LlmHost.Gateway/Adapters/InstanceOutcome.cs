using LlmHost.Backends.Engines;

namespace LlmHost.Gateway.Adapters;

/// <summary>What one instance's engine answered to an adapter load or unload.</summary>
public sealed record InstanceOutcome(string Instance, LoraCallResult Result);
