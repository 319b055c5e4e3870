using LlmHost.Backends.Engines;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Engine;

namespace LlmHost.Simulator.Api;

/// <summary>A <c>/v1/chat/completions</c> or <c>/v1/completions</c> request: its body is the completion request itself.</summary>
internal sealed class CompletionApiRequest(CompletionRequest request) : ApiRequest(request)
{
    public override IAnswerFormat CreateAnswer(RequestPlan plan, SimulatorOptions options, int? cachedTokens)
    {
        var id = (plan.Kind == CompletionKind.Chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        var writer = new CompletionJsonWriter(plan, id, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), options.Engine == BackendEngine.Vllm)
        {
            CachedTokens = options.EnablePromptTokensDetails ? cachedTokens : null,
        };
        return new CompletionAnswer(plan, writer);
    }
}
