using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using LlmHost.Backends.Engines;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Engine;
using LlmHost.Simulator.Engine.Model;
using LlmHost.Simulator.Errors;
using LlmHost.Simulator.Metrics;

namespace LlmHost.Simulator.Api;

/// <summary>
/// Serves <c>/v1/chat/completions</c> and <c>/v1/completions</c>: validate like the engine, wait for a batch slot,
/// then answer as one JSON body or as SSE chunks paced by the latency model.
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
    EngineLoop? engine = null)
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public async Task HandleAsync(HttpContext context, CompletionKind kind)
    {
        var received = Stopwatch.GetTimestamp();
        if (await AdmitAsync(context, kind) is not { } admitted)
        {
            return;
        }
        var (plan, injected) = admitted;
        if (engine is not null)
        {
            // The engine model queues and batches by itself.
            await GenerateAsync(context, plan, injected, received);
            return;
        }
        using var slot = await scheduler.EnterAsync(plan.PromptTokens, plan.Model.Adapter, context.RequestAborted);
        if (slot is null)
        {
            await errors.WriteAsync(context, new EngineError(429, "RateLimitError", "Failed to enqueue request, waiting requests queue is full."));
            return;
        }
        metrics.QueueTime.Observe(Stopwatch.GetElapsedTime(received).TotalSeconds);
        await GenerateAsync(context, plan, injected, received);
    }

    // What refuses a request before it waits for a slot, as the engine would: a server still loading, a forced or
    // injected failure, an invalid body. Null when refused (answered here).
    private async Task<(RequestPlan Plan, string? Injected)?> AdmitAsync(HttpContext context, CompletionKind kind)
    {
        if (!startup.IsReady)
        {
            await errors.WriteAsync(context, new EngineError(503, "InternalServerError", "The server is not ready yet: the model is loading."));
            return null;
        }
        if (sleep.IsSleeping)
        {
            // What a real engine does with a request while it sleeps varies by version; the gateway never sends one.
            await errors.WriteAsync(context, new EngineError(503, "InternalServerError", options.Engine == LlmHost.Backends.Engines.BackendEngine.Sglang
                ? "The engine's memory is released: resume it (POST /resume_memory_occupation) first."
                : "The engine is sleeping: wake it up (POST /wake_up) first."));
            return null;
        }
        if (context.Request.Headers.TryGetValue(FailureInjector.ForceHeader, out var forced))
        {
            await errors.WriteAsync(context, FailureInjector.Forced(forced) ?? RequestPlan.Validation($"{FailureInjector.ForceHeader}: '{forced}' is not an HTTP error status"));
            return null;
        }
        CompletionRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, OpenAIJsonContext.Default.CompletionRequest, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await errors.WriteAsync(context, RequestPlan.Validation(DescribeJsonError(ex)));
            return null;
        }
        var (plan, invalid) = RequestPlan.Create(kind, request, options, models, failures);
        if (invalid is not null)
        {
            await errors.WriteAsync(context, invalid);
            return null;
        }
        var injected = failures.Pick(Random.Shared);
        if (injected is not null && (injected != FailureInjector.StreamError || !plan!.Stream))
        {
            await errors.WriteAsync(context, failures.ErrorFor(injected, request!.Model ?? options.PrimaryServedName));
            return null;
        }
        return (plan!, injected);
    }

    // Generates the answer in its slot, and records how the request ended.
    private async Task GenerateAsync(HttpContext context, RequestPlan plan, string? injected, long received)
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
            await errors.WriteAsync(context, new EngineError(400, "BadRequestError",
                $"This request's {plan.PromptTokens} prompt tokens and its output do not fit in the engine's KV cache ({engine.Cache.TotalBlocks * engine.Cache.BlockSize} tokens)."));
            return;
        }
        try
        {
            completionTokens = plan.Stream
                ? await StreamAsync(context, plan, choices, injected, received, run)
                : await RespondAsync(context, plan, choices, received, run);
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

    private int? CachedTokensOf(EngineRun? run) => run is not null && options.EnablePromptTokensDetails ? run.CachedPromptTokens : null;

    private async Task<int> RespondAsync(HttpContext context, RequestPlan plan, ChoiceState[] choices, long received, EngineRun? run)
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

        var writer = new CompletionJsonWriter(plan, NewId(plan.Kind), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), IsVllm) { CachedTokens = CachedTokensOf(run) };
        context.Response.ContentType = "application/json";
        EchoRequestId(context);
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, SimulatorJson.WriterOptions))
        {
            writer.WriteResponse(json, choices, total);
        }
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        return total;
    }

    private async Task<int> StreamAsync(HttpContext context, RequestPlan plan, ChoiceState[] choices, string? injected, long received, EngineRun? run)
    {
        var random = choices[0].Random;
        var body = await StartStreamAsync(context, plan, random, received, run);
        var writer = new CompletionJsonWriter(plan, NewId(plan.Kind), DateTimeOffset.UtcNow.ToUnixTimeSeconds(), IsVllm) { CachedTokens = CachedTokensOf(run) };
        var longest = 0;
        foreach (var choice in choices)
        {
            longest = Math.Max(longest, choice.Length);
        }
        var cutAt = injected == FailureInjector.StreamError || failures.ShouldDrop(Random.Shared) ? Math.Max(1, longest / 2) : -1;
        var total = 0;
        using var json = new Utf8JsonWriter(body, SimulatorJson.WriterOptions);
        if (plan.Kind == CompletionKind.Chat)
        {
            foreach (var choice in choices)
            {
                WriteEvent(json, body, j => writer.WriteRoleChunk(j, choice.Index, 0));
            }
        }
        for (var step = 0; step < longest; step++)
        {
            if (step == cutAt)
            {
                await CutAsync(context, body, dropConnection: injected != FailureInjector.StreamError);
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
            total = WriteNextTokens(json, body, writer, choices, total);
            if (!latency.IsZero || run is not null)
            {
                await body.FlushAsync(context.RequestAborted);
            }
        }
        if (plan.IncludeUsage)
        {
            WriteEvent(json, body, j => writer.WriteUsageChunk(j, total));
        }
        body.Write(Done);
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

    // One token of every unfinished choice, each its own chunk; returns the tokens generated so far.
    private static int WriteNextTokens(Utf8JsonWriter json, System.IO.Pipelines.PipeWriter body, CompletionJsonWriter writer, ChoiceState[] choices, int total)
    {
        foreach (var choice in choices)
        {
            if (choice.Done)
            {
                continue;
            }
            var token = choice.Next();
            var sofar = ++total;
            var finish = choice.Done ? choice.FinishReason : null;
            WriteEvent(json, body, j => writer.WriteTokenChunk(j, choice.Index, token, finish, sofar));
        }
        return total;
    }

    // A stream that fails half way: an engine dying (the connection dropped after some tokens) or an error event.
    private static async Task CutAsync(HttpContext context, System.IO.Pipelines.PipeWriter body, bool dropConnection)
    {
        if (dropConnection)
        {
            // Let what was sent reach the client first: a dying engine leaves a stream cut after some tokens.
            await body.FlushAsync(context.RequestAborted);
            await Task.Delay(100, context.RequestAborted);
            context.Abort();
            return;
        }
        body.Write(EngineErrorWriter.StreamErrorEvent(new EngineError(500, "InternalServerError", "Internal server error: the engine failed while generating.")));
        await body.FlushAsync(context.RequestAborted);
    }

    private static void WriteEvent(Utf8JsonWriter json, System.IO.Pipelines.PipeWriter body, Action<Utf8JsonWriter> write)
    {
        body.Write(DataPrefix);
        json.Reset(body);
        write(json);
        json.Flush();
        body.Write(EventEnd);
    }

    private bool IsVllm => options.Engine == BackendEngine.Vllm;

    private static string NewId(CompletionKind kind) =>
        (kind == CompletionKind.Chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");

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
