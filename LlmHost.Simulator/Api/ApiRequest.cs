using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Engine;

namespace LlmHost.Simulator.Api;

/// <summary>
/// A request body read by its API's reader: the completion request the shared generator runs (a chat request for
/// the Responses and Messages APIs), and how its answer is written.
/// </summary>
internal abstract class ApiRequest(CompletionRequest request)
{
    public CompletionRequest Request { get; } = request;

    /// <summary>
    /// The writer of this request's answer, made once the first token is ready. <paramref name="cachedTokens"/>: prompt
    /// tokens found in the prefix cache, null when no engine model keeps one.
    /// </summary>
    public abstract IAnswerFormat CreateAnswer(RequestPlan plan, SimulatorOptions options, int? cachedTokens);
}
