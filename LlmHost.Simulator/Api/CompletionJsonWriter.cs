using System.Text.Json;
using LlmHost.Simulator.Engine;

namespace LlmHost.Simulator.Api;

/// <summary>
/// Writes completion bodies and SSE chunks field by field with <see cref="Utf8JsonWriter"/>, in the order and
/// with the fields vLLM and SGLang use (<c>stop_reason</c> is vLLM's own).
/// </summary>
internal sealed class CompletionJsonWriter(RequestPlan plan, string id, long created, bool vllm)
{
    private bool Chat => plan.Kind == CompletionKind.Chat;

    /// <summary>Prompt tokens found in the prefix cache, reported in usage when set (vLLM <c>--enable-prompt-tokens-details</c>).</summary>
    public int? CachedTokens { get; set; }

    public void WriteResponse(Utf8JsonWriter json, ChoiceState[] choices, int completionTokens)
    {
        json.WriteStartObject();
        WriteHeader(json, Chat ? "chat.completion" : "text_completion");
        json.WriteStartArray("choices");
        foreach (var choice in choices)
        {
            json.WriteStartObject();
            json.WriteNumber("index", choice.Index);
            if (Chat)
            {
                json.WriteStartObject("message");
                json.WriteString("role", "assistant");
                json.WriteString("content", choice.Text!.ToString());
                json.WriteStartArray("tool_calls");
                json.WriteEndArray();
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("text", choice.Text!.ToString());
            }
            json.WriteNull("logprobs");
            json.WriteString("finish_reason", choice.FinishReason);
            WriteStopReason(json);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        WriteUsage(json, plan.PromptTokens, completionTokens);
        if (Chat)
        {
            json.WriteNull("system_fingerprint");
        }
        json.WriteEndObject();
    }

    /// <summary>The first chunk of a chat choice: <c>delta.role</c> with empty content.</summary>
    public void WriteRoleChunk(Utf8JsonWriter json, int index, int completionTokens)
    {
        StartChunk(json, index);
        json.WriteStartObject("delta");
        json.WriteString("role", "assistant");
        json.WriteString("content", "");
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteNull("finish_reason");
        EndChunk(json, completionTokens);
    }

    public void WriteTokenChunk(Utf8JsonWriter json, int index, string token, string? finishReason, int completionTokens)
    {
        StartChunk(json, index);
        if (Chat)
        {
            json.WriteStartObject("delta");
            json.WriteString("content", token);
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text", token);
        }
        json.WriteNull("logprobs");
        if (finishReason is null)
        {
            json.WriteNull("finish_reason");
        }
        else
        {
            json.WriteString("finish_reason", finishReason);
        }
        WriteStopReason(json);
        EndChunk(json, completionTokens);
    }

    /// <summary>The extra chunk sent with <c>include_usage</c>: no choices, the whole usage.</summary>
    public void WriteUsageChunk(Utf8JsonWriter json, int completionTokens)
    {
        json.WriteStartObject();
        WriteHeader(json, Chat ? "chat.completion.chunk" : "text_completion");
        json.WriteStartArray("choices");
        json.WriteEndArray();
        WriteUsage(json, plan.PromptTokens, completionTokens);
        json.WriteEndObject();
    }

    private void StartChunk(Utf8JsonWriter json, int index)
    {
        json.WriteStartObject();
        WriteHeader(json, Chat ? "chat.completion.chunk" : "text_completion");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", index);
    }

    private void EndChunk(Utf8JsonWriter json, int completionTokens)
    {
        json.WriteEndObject();
        json.WriteEndArray();
        if (plan.ContinuousUsage)
        {
            WriteUsage(json, plan.PromptTokens, completionTokens);
        }
        json.WriteEndObject();
    }

    private void WriteHeader(Utf8JsonWriter json, string objectName)
    {
        json.WriteString("id", id);
        json.WriteString("object", objectName);
        json.WriteNumber("created", created);
        json.WriteString("model", plan.Model.ResponseModel);
    }

    private void WriteStopReason(Utf8JsonWriter json)
    {
        if (vllm)
        {
            json.WriteNull("stop_reason");
        }
    }

    private void WriteUsage(Utf8JsonWriter json, int prompt, int completion)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", prompt);
        json.WriteNumber("total_tokens", prompt + completion);
        json.WriteNumber("completion_tokens", completion);
        if (CachedTokens is { } cached)
        {
            json.WriteStartObject("prompt_tokens_details");
            json.WriteNumber("cached_tokens", cached);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("prompt_tokens_details");
        }
        json.WriteEndObject();
    }
}
