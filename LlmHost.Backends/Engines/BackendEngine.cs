namespace LlmHost.Backends.Engines;

public enum BackendEngine
{
    Vllm,
    Sglang,
}
