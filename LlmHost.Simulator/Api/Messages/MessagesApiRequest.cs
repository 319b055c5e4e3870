using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Engine;

namespace LlmHost.Simulator.Api.Messages;

/// <summary>A <c>POST /v1/messages</c> body read into a chat request; its answer is an Anthropic message.</summary>
internal sealed class MessagesApiRequest(CompletionRequest request) : ApiRequest(request)
{
    public override IAnswerFormat CreateAnswer(RequestPlan plan, SimulatorOptions options, int? cachedTokens) =>
        new MessagesAnswer(plan, cachedTokens ?? 0);
}
