namespace LlmHost.Tests.Infrastructure;

/// <summary>Config for a gateway in front of one simulator with the given <c>limits:</c> block.</summary>
internal static class LimitsConfig
{
    public static string For(SimulatorHost sim, string limits, string extra = "") => $$"""
        routing: { discovery_interval: 1h, health_check_interval: 1h }
        limits: {{limits}}
        backends:
          - { name: sim, engine: vllm, mode: external, model: m, url: "{{sim.Address}}" }
        {{extra}}
        """;

    public static StringContent Chat(int maxTokens, bool stream = false) => Json.Body(
        $$"""{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":{{maxTokens}},"ignore_eos":true,"stream":{{(stream ? "true" : "false")}}{{(stream ? ",\"stream_options\":{\"include_usage\":true}" : "")}}}""");
}
