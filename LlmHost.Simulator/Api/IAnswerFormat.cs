using System.Text.Json;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api;

/// <summary>
/// How one request's answer is written in its API's format: a whole JSON body, or the events of a stream around the
/// tokens the shared generator hands over one by one.
/// </summary>
internal interface IAnswerFormat
{
    /// <summary>The non-streamed answer; every choice has run to its end (and collected its text).</summary>
    void WriteBody(Utf8JsonWriter json, ChoiceState[] choices, int completionTokens);

    /// <summary>What a stream sends once the first token is ready, before it.</summary>
    void WriteStreamStart(SseWriter sse, ChoiceState[] choices);

    /// <summary>One token of <paramref name="choice"/>, just drawn; <paramref name="completionTokens"/> counts it.</summary>
    void WriteToken(SseWriter sse, ChoiceState choice, string token, int completionTokens);

    /// <summary>What a stream sends after its last token.</summary>
    void WriteStreamEnd(SseWriter sse, ChoiceState[] choices, int completionTokens);

    /// <summary>The error event of a stream that fails after it started.</summary>
    void WriteStreamError(SseWriter sse, EngineError error);
}
