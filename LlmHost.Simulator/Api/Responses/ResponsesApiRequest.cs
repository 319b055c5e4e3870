using System.Text.Json;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Engine;

namespace LlmHost.Simulator.Api.Responses;

/// <summary>
/// A <c>POST /v1/responses</c> body read into a chat request, with what its Response object echoes back and what a
/// follow-up continues from.
/// </summary>
internal sealed class ResponsesApiRequest(CompletionRequest request, ResponseStore store) : ApiRequest(request)
{
    public string? Instructions { get; init; }
    public string? PreviousResponseId { get; init; }
    public bool Store { get; init; } = true;
    public bool ParallelToolCalls { get; init; } = true;
    public double? TopP { get; init; }
    /// <summary>Echoed as sent; null when absent (each has its default in the answer).</summary>
    public JsonElement? Text { get; init; }
    public JsonElement? ToolChoice { get; init; }
    public JsonElement? Tools { get; init; }
    public JsonElement? Metadata { get; init; }

    /// <summary>The stored conversation this request continues, then its own input; the instructions are not part of it.</summary>
    public required IReadOnlyList<ChatMessage> Conversation { get; init; }

    public override IAnswerFormat CreateAnswer(RequestPlan plan, SimulatorOptions options, int? cachedTokens)
    {
        var response = new ResponseObjectWriter(this, plan.Model.ResponseModel, plan.MaxTokensFor(plan.Prompts[0], options.MaxModelLen),
            plan.PromptTokens, cachedTokens ?? 0);
        return new ResponsesAnswer(this, response, store);
    }
}
