using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Hosting.Vllm;

/// <summary>A <c>vllm/vllm-openai</c> container serving one model (and its LoRA adapters).</summary>
public sealed class VllmResource(string name, BackendSettings backend) : InferenceServerResource(name, backend);
