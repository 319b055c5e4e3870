using System.Text.Json;
using LlmHost.Backends.Engines;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Engine;

/// <summary>
/// A validated completion request: the prompts with their token counts and how many tokens each choice may get.
/// <see cref="Create"/> applies the imitated engine's validation rules and messages.
/// </summary>
public sealed class RequestPlan
{
    public required CompletionKind Kind { get; init; }
    public required CompletionRequest Request { get; init; }
    public required ModelResolution Model { get; init; }
    public required List<Prompt> Prompts { get; init; }
    public required int N { get; init; }
    /// <summary>The request's own limit; null when the chat request set none (the rest of the context is the limit).</summary>
    public int? RequestedMaxTokens { get; init; }
    public bool Stream => Request.Stream == true;
    public bool IncludeUsage => Request.StreamOptions is { } o && o.IncludeUsage != false;
    public bool ContinuousUsage => IncludeUsage && Request.StreamOptions?.ContinuousUsageStats == true;
    /// <summary>Usage counts each prompt once, however many choices (<c>n</c>) it has.</summary>
    public int PromptTokens
    {
        get
        {
            var total = 0;
            foreach (var prompt in Prompts)
            {
                total += prompt.Tokens;
            }
            return total;
        }
    }

    /// <summary>One prompt: a stable hash of its text (seeds the output) and its token count.</summary>
    public readonly record struct Prompt(long Hash, int Tokens);

    public static (RequestPlan? Plan, EngineError? Error) Create(
        CompletionKind kind, CompletionRequest? request, SimulatorOptions options, ModelRegistry models, FailureInjector failures)
    {
        if (request is null)
        {
            return (null, Validation("body: Input should be a valid dictionary or object"));
        }
        if (kind.HasMessages() && request.Messages is null)
        {
            return (null, Validation("messages: Field required"));
        }
        var model = models.Resolve(request.Model, request.LoraPath);
        if (!model.Found)
        {
            return (null, failures.ModelNotFound(request.Model ?? ""));
        }
        if (CheckSampling(kind, request, options, out var n, out var maxTokens) is { } invalid)
        {
            return (null, invalid);
        }
        var (prompts, promptError) = kind.HasMessages()
            ? ([new Prompt(SimpleTokenizer.ChatHash(request.Messages!), SimpleTokenizer.CountChat(request.Messages!))], null)
            : ParsePrompts(request.Prompt);
        if (promptError is not null)
        {
            return (null, promptError);
        }
        foreach (var prompt in prompts!)
        {
            if (ContextError(prompt.Tokens, maxTokens, options) is { } overflow)
            {
                return (null, overflow);
            }
        }
        return (new RequestPlan { Kind = kind, Request = request, Model = model, Prompts = prompts, N = n, RequestedMaxTokens = maxTokens }, null);
    }

    // stream_options without stream (vLLM refuses it), n and max tokens, as the engine checks them.
    private static EngineError? CheckSampling(CompletionKind kind, CompletionRequest request, SimulatorOptions options, out int n, out int? maxTokens)
    {
        n = request.N ?? 1;
        maxTokens = kind.HasMessages() ? request.MaxCompletionTokens ?? request.MaxTokens : request.MaxTokens ?? 16;
        if (options.Engine == BackendEngine.Vllm && request.StreamOptions is not null && request.Stream != true)
        {
            return new EngineError(400, "Bad Request",
                "1 validation error(s): Value error, Stream options can only be defined when `stream=True`.", "stream_options");
        }
        if (n < 1)
        {
            return new EngineError(400, "BadRequestError", $"n must be at least 1, got {n}.", "n");
        }
        if (maxTokens is < 1)
        {
            return new EngineError(400, "BadRequestError", $"max_tokens must be at least 1, got {maxTokens}.", "max_tokens");
        }
        return null;
    }

    /// <summary>The most tokens a choice of <paramref name="prompt"/> may produce.</summary>
    public int MaxTokensFor(Prompt prompt, int maxModelLen) =>
        RequestedMaxTokens ?? Math.Max(1, maxModelLen - prompt.Tokens);

    private static EngineError? ContextError(int promptTokens, int? maxTokens, SimulatorOptions options)
    {
        var limit = options.MaxModelLen;
        if (options.Engine == BackendEngine.Vllm)
        {
            if (promptTokens >= limit)
            {
                return new EngineError(400, "BadRequestError",
                    $"This model's maximum context length is {limit} tokens. However, your request has {promptTokens} input tokens. Please reduce the length of the input messages.",
                    "input_tokens");
            }
            if (maxTokens is { } max && promptTokens + max > limit)
            {
                return new EngineError(400, "BadRequestError",
                    $"'max_tokens' or 'max_completion_tokens' is too large: {max}. This model's maximum context length is {limit} tokens and your request has {promptTokens} input tokens ({max} > {limit} - {promptTokens}).",
                    "max_tokens");
            }
            return null;
        }
        if (promptTokens >= limit)
        {
            return new EngineError(400, "BadRequestError",
                $"The input ({promptTokens} tokens) is longer than the model's context length ({limit} tokens).");
        }
        if (maxTokens is { } m && promptTokens + m > limit)
        {
            return new EngineError(400, "BadRequestError",
                $"Requested token count exceeds the model's maximum context length of {limit} tokens. You requested a total of {promptTokens + m} tokens: {promptTokens} tokens from the input messages and {m} tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.");
        }
        return null;
    }

    // prompt: a string, a list of strings, a list of token ids, or a list of lists of token ids.
    private static (List<Prompt>?, EngineError?) ParsePrompts(JsonElement? element)
    {
        const string Missing = "Either prompt or prompt_embeds must be provided and non-empty.";
        if (element is not { } prompt || prompt.ValueKind == JsonValueKind.Null)
        {
            return (null, new EngineError(400, "BadRequestError", Missing));
        }
        if (prompt.ValueKind == JsonValueKind.String)
        {
            var text = prompt.GetString()!;
            return ([new Prompt(PromptHash.Of(text), SimpleTokenizer.Count(text))], null);
        }
        if (prompt.ValueKind != JsonValueKind.Array || prompt.GetArrayLength() == 0)
        {
            return (null, prompt.ValueKind == JsonValueKind.Array
                ? new EngineError(400, "BadRequestError", Missing)
                : Validation("prompt: Input should be a valid string or list"));
        }
        var first = prompt[0];
        if (first.ValueKind == JsonValueKind.Number)
        {
            return TokenIdPrompt(prompt) is { } single ? ([single], null) : (null, Validation("prompt: token ids must be integers"));
        }
        var prompts = new List<Prompt>();
        foreach (var item in prompt.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                var text = item.GetString()!;
                prompts.Add(new Prompt(PromptHash.Of(text), SimpleTokenizer.Count(text)));
            }
            else if (item.ValueKind == JsonValueKind.Array && TokenIdPrompt(item) is { } ids)
            {
                prompts.Add(ids);
            }
            else
            {
                return (null, Validation("prompt: each item must be a string or a list of token ids"));
            }
        }
        return (prompts, null);
    }

    private static Prompt? TokenIdPrompt(JsonElement ids)
    {
        var hash = PromptHash.Start;
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var value))
            {
                return null;
            }
            hash = PromptHash.Add(PromptHash.Add(hash, (char)(value & 0xFFFF)), (char)(value >>> 16));
        }
        return new Prompt((long)hash, ids.GetArrayLength());
    }

    public static EngineError Validation(string detail) => new(400, "Bad Request", $"1 validation error(s): {detail}");
}
