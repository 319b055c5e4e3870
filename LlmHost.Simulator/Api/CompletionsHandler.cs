using System.Diagnostics;
using System.Text.Json;
using LlmHost.Backends.Engines;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Api.Messages;
using LlmHost.Simulator.Api.Responses;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Engine.Model;
using LlmHost.Simulator.Errors;
using LlmHost.Simulator.Metrics;

namespace LlmHost.Simulator.Api;

/// <summary>
/// Serves <c>/v1/chat/completions</c>, <c>/v1/completions</c>, <c>/v1/responses</c> and <c>/v1/messages</c>: validate
/// like the engine, wait for a batch slot, then answer as one JSON body or as SSE events paced by the latency model.
/// The Responses and Messages APIs are read into chat requests and generated the same way; only their answer
/// (<see cref="IAnswerFormat"/>) and error shapes differ.
/// </summary>
public sealed class CompletionsHandler(
    SimulatorOptions options,
    ModelRegistry models,
    Scheduler scheduler,
    LatencyModel latency,
    EngineMetrics metrics,
    FailureInjector failures,
    EngineErrorWriter errors,
    StartupGate startup,
    SleepState sleep,
    ResponseStore responses,
    EngineLoop? engine = null)
{
    public async Task HandleAsync(HttpContext context, CompletionKind kind)
    {
        var received = Stopwatch.GetTimestamp();
        if (await AdmitAsync(context, kind) is not { } admitted)
        {
            return;
        }
        var (api, plan, injected) = admitted;
        if (engine is not null)
        {
            // The engine model queues and batches by itself.
            await GenerateAsync(context, api, plan, injected, received);
            return;
        }
        using var slot = await scheduler.EnterAsync(plan.PromptTokens, plan.Model.Adapter, context.RequestAborted);
        if (slot is null)
        {
            await FailAsync(context, kind, new EngineError(429, "RateLimitError", "Failed to enqueue request, waiting requests queue is full."));
            return;
        }
        metrics.QueueTime.Observe(Stopwatch.GetElapsedTime(received).TotalSeconds);
        await GenerateAsync(context, api, plan, injected, received);
    }

    // The error body of each API: vLLM and SGLang answer Responses errors nested, Messages errors as Anthropic does.
    private static ErrorShape ErrorShapeOf(CompletionKind kind) => kind switch
    {
        CompletionKind.Responses => ErrorShape.OpenAI,
        CompletionKind.Messages => ErrorShape.Anthropic,
        _ => ErrorShape.Engine,
    };

    private Task FailAsync(HttpContext context, CompletionKind kind, EngineError error) => errors.WriteAsync(context, error, ErrorShapeOf(kind));

    // What refuses a request before it waits for a slot, as the engine would: a server still loading, a forced or
    // injected failure, an invalid body. Null when refused (answered here).
    private async Task<(ApiRequest Api, RequestPlan Plan, string? Injected)?> AdmitAsync(HttpContext context, CompletionKind kind)
    {
        if (!startup.IsReady)
        {
            await FailAsync(context, kind, new EngineError(503, "InternalServerError", "The server is not ready yet: the model is loading."));
            return null;
        }
        if (sleep.IsSleeping)
        {
            // What a real engine does with a request while it sleeps varies by version; the gateway never sends one.
            await FailAsync(context, kind, new EngineError(503, "InternalServerError", options.Engine == BackendEngine.Sglang
                ? "The engine's memory is released: resume it (POST /resume_memory_occupation) first."
                : "The engine is sleeping: wake it up (POST /wake_up) first."));
            return null;
        }
        if (context.Request.Headers.TryGetValue(FailureInjector.ForceHeader, out var forced))
        {
            await FailAsync(context, kind, FailureInjector.Forced(forced) ?? RequestPlan.Validation($"{FailureInjector.ForceHeader}: '{forced}' is not an HTTP error status"));
            return null;
        }
        var (api, unreadable) = await ReadAsync(context, kind);
        if (unreadable is not null)
        {
            await FailAsync(context, kind, unreadable);
            return null;
        }
        var (plan, invalid) = RequestPlan.Create(kind, api!.Request, options, models, failures);
        if (invalid is not null)
        {
            await FailAsync(context, kind, invalid);
            return null;
        }
        var injected = failures.Pick(Random.Shared);
        if (injected is not null && (injected != FailureInjector.StreamError || !plan!.Stream))
        {
            await FailAsync(context, kind, failures.ErrorFor(injected, api.Request.Model ?? options.PrimaryServedName));
            return null;
        }
        return (api, plan!, injected);
    }

    // The body, read by its API's reader into the completion request the generator runs.
    private async Task<(ApiRequest? Api, EngineError? Error)> ReadAsync(HttpContext context, CompletionKind kind)
    {
        try
        {
            if (kind is CompletionKind.Chat or CompletionKind.Text)
            {
                var request = await JsonSerializer.DeserializeAsync(context.Request.Body, OpenAIJsonContext.Default.CompletionRequest, context.RequestAborted);
                return request is null ? (null, RequestPlan.Validation("body: Input should be a valid dictionary or object")) : (new CompletionApiRequest(request), null);
            }
            using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return kind == CompletionKind.Responses
                ? ResponsesRequestReader.Read(body.RootElement, responses)
                : MessagesRequestReader.Read(body.RootElement, requireMaxTokens: true);
        }
        catch (JsonException ex)
        {
            return (null, RequestPlan.Validation(DescribeJsonError(ex)));
        }
    }

    // Generates the answer in its slot, and records how the request ended.
    private async Task GenerateAsync(HttpContext context, ApiRequest api, RequestPlan plan, string? injected, long received)
    {
        var choices = ChoiceState.For(plan, options, collectText: !plan.Stream);
        var completionTokens = 0;
        var finishReason = "abort";
        if (engine is not null && !await PassOverheadAsync(engine, context.RequestAborted))
        {
            metrics.RequestFinished(plan.PromptTokens, 0, "abort"); // the client left before the engine saw it
            return;
        }
        var run = engine?.Submit(PromptTokenIds(plan), Longest(choices), plan.Request.Priority ?? 0,
            plan.Model.Adapter is { } adapter ? SimpleTokenizer.IdOf(adapter) : 0, ChoiceState.FirstAnswerTokenIds(plan, options));
        if (engine is not null && run is null)
        {
            await FailAsync(context, plan.Kind, new EngineError(400, "BadRequestError",
                $"This request's {plan.PromptTokens} prompt tokens and its output do not fit in the engine's KV cache ({engine.Cache.TotalBlocks * engine.Cache.BlockSize} tokens)."));
            return;
        }
        try
        {
            completionTokens = plan.Stream
                ? await StreamAsync(context, api, plan, choices, injected, received, run)
                : await RespondAsync(context, api, plan, choices, received, run);
            finishReason = choices.Length > 0 ? choices[0].FinishReason : "stop";
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: vLLM counts the request as aborted.
        }
        finally
        {
            if (run is not null)
            {
                engine!.Abort(run); // nothing left to do when it finished; frees its blocks when it did not
            }
            metrics.RequestFinished(plan.PromptTokens, completionTokens, finishReason);
            metrics.EndToEnd.Observe(run is null ? Stopwatch.GetElapsedTime(received).TotalSeconds : (run.LastTokenAt - run.Arrival).TotalSeconds);
        }
    }

    // Tokenization and the hop to the engine core; false when the client went away meanwhile.
    private static async Task<bool> PassOverheadAsync(EngineLoop engine, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(engine.RequestOverhead, aborted);
            return true;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return false;
        }
    }

    private static int Longest(ChoiceState[] choices)
    {
        var longest = 1;
        foreach (var choice in choices)
        {
            longest = Math.Max(longest, choice.Length);
        }
        return longest;
    }

    // The prompt as token ids: the same text always gives the same ids, so shared prefixes share KV blocks. A batch of
    // completion prompts is one sequence here (their ids one after the other).
    private static List<int> PromptTokenIds(RequestPlan plan)
    {
        if (plan.Request.Messages is { } messages)
        {
            return [.. SimpleTokenizer.ChatTokens(messages).Select(SimpleTokenizer.IdOf)];
        }
        var ids = new List<int>(plan.PromptTokens);
        if (plan.Request.Prompt is { } prompt)
        {
            AddPromptIds(ids, prompt);
        }
        return ids;
    }

    // A string (its words), a list of token ids (as given), or a list of either.
    private static void AddPromptIds(List<int> ids, JsonElement prompt)
    {
        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                ids.AddRange(SimpleTokenizer.Split(prompt.GetString()!).Select(SimpleTokenizer.IdOf));
                break;
            case JsonValueKind.Array:
                foreach (var item in prompt.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var id))
                    {
                        ids.Add(id);
                    }
                    else
                    {
                        AddPromptIds(ids, item);
                    }
                }
                break;
        }
    }

    // Times come from the engine's simulated clock: exact, and unaffected by --time-scale or timer granularity.
    private async Task NextTokenAsync(EngineRun run, bool first, CancellationToken cancellationToken)
    {
        var previous = run.LastTokenAt;
        var at = await run.NextAsync(cancellationToken) ?? throw new OperationCanceledException("the engine dropped the request");
        (first ? metrics.TimeToFirstToken : metrics.InterTokenLatency).Observe((at - previous).TotalSeconds);
    }

    private async Task<int> RespondAsync(HttpContext context, ApiRequest api, RequestPlan plan, ChoiceState[] choices, long received, EngineRun? run)
    {
        var total = 0;
        var longest = 0;
        foreach (var choice in choices)
        {
            while (!choice.Done)
            {
                choice.Next();
            }
            total += choice.Length;
            longest = Math.Max(longest, choice.Length);
        }
        if (run is not null)
        {
            await NextTokenAsync(run, first: true, context.RequestAborted);
            for (var i = 1; i < longest; i++)
            {
                await NextTokenAsync(run, first: false, context.RequestAborted);
            }
        }
        else if (!latency.IsZero)
        {
            var random = choices[0].Random;
            var wait = latency.TimeToFirstToken(plan.PromptTokens, random);
            metrics.TimeToFirstToken.Observe(wait.TotalSeconds);
            for (var i = 1; i < longest; i++)
            {
                var itl = latency.InterTokenLatency(random);
                metrics.InterTokenLatency.Observe(itl.TotalSeconds);
                wait += itl;
            }
            await Task.Delay(wait, context.RequestAborted);
        }
        else
        {
            metrics.TimeToFirstToken.Observe(Stopwatch.GetElapsedTime(received).TotalSeconds);
        }

        var answer = api.CreateAnswer(plan, options, run?.CachedPromptTokens);
        context.Response.ContentType = "application/json";
        EchoRequestId(context);
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, SimulatorJson.WriterOptions))
        {
            answer.WriteBody(json, choices, total);
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        return total;
    }

    private async Task<int> StreamAsync(HttpContext context, ApiRequest api, RequestPlan plan, ChoiceState[] choices, string? injected, long received, EngineRun? run)
    {
        var random = choices[0].Random;
        var body = await StartStreamAsync(context, plan, random, received, run);
        var answer = api.CreateAnswer(plan, options, run?.CachedPromptTokens);
        var longest = 0;
        foreach (var choice in choices)
        {
            longest = Math.Max(longest, choice.Length);
        }
        var cutAt = injected == FailureInjector.StreamError || failures.ShouldDrop(Random.Shared) ? Math.Max(1, longest / 2) : -1;
        var total = 0;
        using var sse = new SseWriter(body);
        answer.WriteStreamStart(sse, choices);
        for (var step = 0; step < longest; step++)
        {
            if (step == cutAt)
            {
                await CutAsync(context, body, sse, answer, dropConnection: injected != FailureInjector.StreamError);
                return total;
            }
            if (step > 0 && run is not null)
            {
                await NextTokenAsync(run, first: false, context.RequestAborted);
            }
            else if (step > 0 && !latency.IsZero)
            {
                var itl = latency.InterTokenLatency(random);
                metrics.InterTokenLatency.Observe(itl.TotalSeconds);
                await Task.Delay(itl, context.RequestAborted);
            }
            total = WriteNextTokens(sse, answer, choices, total);
            if (!latency.IsZero || run is not null)
            {
                await body.FlushAsync(context.RequestAborted);
            }
        }
        answer.WriteStreamEnd(sse, choices, total);
        await body.FlushAsync(context.RequestAborted);
        return total;
    }

    // Headers go out at once, as a real server's do, so the client sees 200 before the first token.
    private async Task<System.IO.Pipelines.PipeWriter> StartStreamAsync(HttpContext context, RequestPlan plan, Random random, long received, EngineRun? run)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        EchoRequestId(context);
        await response.StartAsync(context.RequestAborted);
        if (run is not null)
        {
            await NextTokenAsync(run, first: true, context.RequestAborted);
            return response.BodyWriter;
        }
        if (!latency.IsZero)
        {
            await Task.Delay(latency.TimeToFirstToken(plan.PromptTokens, random), context.RequestAborted);
        }
        metrics.TimeToFirstToken.Observe(Stopwatch.GetElapsedTime(received).TotalSeconds);
        return response.BodyWriter;
    }

    // One token of every unfinished choice, each its own event; returns the tokens generated so far.
    private static int WriteNextTokens(SseWriter sse, IAnswerFormat answer, ChoiceState[] choices, int total)
    {
        foreach (var choice in choices)
        {
            if (choice.Done)
            {
                continue;
            }
            var token = choice.Next();
            answer.WriteToken(sse, choice, token, ++total);
        }
        return total;
    }

    // A stream that fails half way: an engine dying (the connection dropped after some tokens) or an error event.
    private static async Task CutAsync(HttpContext context, System.IO.Pipelines.PipeWriter body, SseWriter sse, IAnswerFormat answer, bool dropConnection)
    {
        if (dropConnection)
        {
            // Let what was sent reach the client first: a dying engine leaves a stream cut after some tokens.
            await body.FlushAsync(context.RequestAborted);
            await Task.Delay(100, context.RequestAborted);
            context.Abort();
            return;
        }
        answer.WriteStreamError(sse, new EngineError(500, "InternalServerError", "Internal server error: the engine failed while generating."));
        await body.FlushAsync(context.RequestAborted);
    }

    private static void EchoRequestId(HttpContext context)
    {
        if (context.Request.Headers.TryGetValue("X-Request-Id", out var id))
        {
            context.Response.Headers["X-Request-Id"] = id;
        }
    }

    // Pydantic-like wording without .NET type names: "messages: Input should be a valid value of its type".
    internal static string DescribeJsonError(JsonException ex)
    {
        var path = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
        return ex.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? $"{path}: Input should be a valid value of its type"
            : $"body: JSON decode error at line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}";
    }
}
