using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.Sglang;

/// <summary>A <c>lmsysorg/sglang</c> container serving one model (and its LoRA adapters).</summary>
public sealed class SglangResource(string name, BackendSettings backend) : InferenceServerResource(name, backend);
