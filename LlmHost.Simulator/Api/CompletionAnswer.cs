using System.Text.Json;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api;

/// <summary>
/// Chat and text completions: one JSON body, or <c>data:</c> chunks (a role chunk per chat choice, one chunk per
/// token, the usage chunk when asked for) ended by <c>data: [DONE]</c>.
/// </summary>
internal sealed class CompletionAnswer(RequestPlan plan, CompletionJsonWriter writer) : IAnswerFormat
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public void WriteBody(Utf8JsonWriter json, ChoiceState[] choices, int completionTokens) => writer.WriteResponse(json, choices, completionTokens);

    public void WriteStreamStart(SseWriter sse, ChoiceState[] choices)
    {
        if (plan.Kind != CompletionKind.Chat)
        {
            return;
        }
        foreach (var choice in choices)
        {
            writer.WriteRoleChunk(sse.Begin(), choice.Index, 0);
            sse.End();
        }
    }

    public void WriteToken(SseWriter sse, ChoiceState choice, string token, int completionTokens)
    {
        writer.WriteTokenChunk(sse.Begin(), choice.Index, token, choice.Done ? choice.FinishReason : null, completionTokens);
        sse.End();
    }

    public void WriteStreamEnd(SseWriter sse, ChoiceState[] choices, int completionTokens)
    {
        if (plan.IncludeUsage)
        {
            writer.WriteUsageChunk(sse.Begin(), completionTokens);
            sse.End();
        }
        sse.WriteRaw(Done);
    }

    public void WriteStreamError(SseWriter sse, EngineError error) => sse.WriteRaw(EngineErrorWriter.StreamErrorEvent(error));
}
