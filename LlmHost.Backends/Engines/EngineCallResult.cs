namespace LlmHost.Backends.Engines;

/// <summary>An engine's answer to a control call (sleep, wake): whether it succeeded, its status and its words (bounded).</summary>
public readonly record struct EngineCallResult(bool Succeeded, int Status, string Message);
