namespace LlmHost.Gateway.ControlPlane;

/// <summary>Which pipeline of which engine instance.</summary>
public readonly record struct ControlPipelineKey(string Instance, ControlCall Call);
