namespace LlmHost.Gateway.Metering;

/// <summary>Why the gateway refused a key's request: a limit kind's label, or <c>model_not_allowed</c>.</summary>
public readonly record struct RequestRejection(string KeyId, string Reason);
