using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry.Trace;

namespace LlmHost.Tests.Integration.Gateway.Observability;

/// <summary>
/// The traces a user sees in the Aspire dashboard, exported through the gateway's own OpenTelemetry pipeline (as with
/// an OTLP endpoint, plus an in-memory exporter): GenAI attributes on each request's span, and no spans for the
/// control plane's polls unless <c>logging.trace_control_plane</c> asks for them.
/// </summary>
[Collection(RunsAlone.Name)]
[Trait("Category", "Integration")]
public sealed class GenAiSpanTests
{
    private static async Task<(GatewayHost Gateway, LockedList<Activity> Exported)> StartTracedAsync(SimulatorHost sim, string extra = "")
    {
        var exported = new LockedList<Activity>();
        var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 200ms, health_check_interval: 200ms }
            backends:
              - { name: sim, engine: vllm, mode: external, model: traced, url: "{{sim.Address}}" }
            {{extra}}
            """, GatewayHost.DefaultKeysJson,
            builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(exported)),
            "--OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9");
        return (gateway, exported);
    }

    private static List<Activity> Flushed(GatewayHost gateway, LockedList<Activity> exported)
    {
        gateway.Get<TracerProvider>().ForceFlush();
        return exported.Snapshot();
    }

    private static bool IsEngineCall(Activity span, string path) =>
        span.Kind == ActivityKind.Client && span.GetTagItem("url.full") is string url && new Uri(url).AbsolutePath == path;

    [Fact]
    public async Task ChatRequest_SpanCarriesGenAiOperationProviderModelsTokensAndServer()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "traced");
        var (gateway, exported) = await StartTracedAsync(sim);
        await using var _ = gateway;

        using var response = await gateway.Client.PostAsync("/v1/chat/completions",
            Json.Body("""{"model":"traced","messages":[{"role":"user","content":"a b"}],"max_tokens":3,"ignore_eos":true}"""));
        response.EnsureSuccessStatusCode();

        Assert.True(await Eventually.TrueWithinAsync(() => Flushed(gateway, exported).Any(s => s.GetTagItem("gen_ai.operation.name") is not null), TimeSpan.FromSeconds(5)));
        var span = Flushed(gateway, exported).Single(s => s.GetTagItem("gen_ai.operation.name") is not null);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("vllm", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("traced", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(3, span.GetTagItem("gen_ai.request.max_tokens"));
        Assert.Equal(false, span.GetTagItem("gen_ai.request.stream"));
        Assert.Equal(9, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(3, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal("traced", span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(["length"], Assert.IsType<string[]>(span.GetTagItem("gen_ai.response.finish_reasons")));
        Assert.Equal(sim.Address.Host, span.GetTagItem("server.address"));
        Assert.Equal(sim.Address.Port, span.GetTagItem("server.port"));
        Assert.Null(span.GetTagItem("error.type"));
        // The forwarded call is a child span of the request (it is a client request, not control plane).
        Assert.Contains(Flushed(gateway, exported), s => IsEngineCall(s, "/v1/chat/completions") && s.TraceId == span.TraceId);

        // The simulated chat model has no embeddings route: the engine's 404 is the span's error.
        using var embedded = await gateway.Client.PostAsync("/v1/embeddings", Json.Body("""{"model":"traced","input":"a b"}"""));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, embedded.StatusCode);
        Assert.True(await Eventually.TrueWithinAsync(
            () => Flushed(gateway, exported).Any(s => s.GetTagItem("gen_ai.operation.name") as string == "embeddings" && s.GetTagItem("error.type") as string == "404"),
            TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task LogBodiesKey_SpanCarriesInputAndOutputMessages_OtherKeysNone()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "traced");
        var (gateway, exported) = await StartTracedAsync(sim);
        await using var _ = gateway;
        var (_, created) = await Json.PostAsync(gateway.Client, "/admin/keys", """{"id":"debugged","log_bodies":true}""");
        using var debugged = gateway.ClientWith(created.GetProperty("secret").GetString());
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        const string Chat = """{"model":"traced","stream":true,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"find-me-on-the-span"}],"max_tokens":4,"ignore_eos":true}""";

        var streamed = await (await debugged.PostAsync("/v1/chat/completions", Json.Body(Chat))).EnsureSuccessStatusCode().Content.ReadAsStringAsync();
        (await user.PostAsync("/v1/chat/completions", Json.Body(Chat))).EnsureSuccessStatusCode();

        Assert.True(await Eventually.TrueWithinAsync(() => Flushed(gateway, exported).Count(s => s.GetTagItem("gen_ai.operation.name") is not null) == 2, TimeSpan.FromSeconds(5)));
        var spans = Flushed(gateway, exported).Where(s => s.GetTagItem("gen_ai.operation.name") is not null).ToList();
        var withContent = Assert.Single(spans, s => s.GetTagItem("llmhost.key_id") as string == "debugged");
        using var input = JsonDocument.Parse(Assert.IsType<string>(withContent.GetTagItem("gen_ai.input.messages")));
        Assert.Equal(["system", "user"], input.RootElement.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("find-me-on-the-span", input.RootElement[1].GetProperty("parts")[0].GetProperty("content").GetString());
        using var output = JsonDocument.Parse(Assert.IsType<string>(withContent.GetTagItem("gen_ai.output.messages")));
        var answer = Assert.Single(output.RootElement.EnumerateArray());
        Assert.Equal(("assistant", "length"), (answer.GetProperty("role").GetString(), answer.GetProperty("finish_reason").GetString()));
        Assert.Equal(StreamedText(streamed), answer.GetProperty("parts")[0].GetProperty("content").GetString());
        var plain = Assert.Single(spans, s => s.GetTagItem("llmhost.key_id") as string == "testuser");
        Assert.Null(plain.GetTagItem("gen_ai.input.messages"));
        Assert.Null(plain.GetTagItem("gen_ai.output.messages"));
    }

    /// <summary>The text of a chat stream as the client reads it: its chunks' content deltas, in order.</summary>
    private static string StreamedText(string stream) => string.Concat(stream.Split('\n')
        .Where(line => line.StartsWith("data: {", StringComparison.Ordinal))
        .Select(line => JsonDocument.Parse(line[6..]).RootElement)
        .SelectMany(chunk => chunk.GetProperty("choices").EnumerateArray())
        .Select(choice => choice.TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content) ? content.GetString() : null));

    [Fact]
    public async Task RefusedBeforeRouting_SpanHasOperationAndErrorType()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "traced");
        var (gateway, exported) = await StartTracedAsync(sim);
        await using var _ = gateway;

        using var response = await gateway.Client.PostAsync("/v1/chat/completions", Json.Body("""{"model":"nobody-serves-this","messages":[]}"""));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(await Eventually.TrueWithinAsync(() => Flushed(gateway, exported).Any(s => s.GetTagItem("gen_ai.operation.name") is not null), TimeSpan.FromSeconds(5)));
        var span = Flushed(gateway, exported).Single(s => s.GetTagItem("gen_ai.operation.name") is not null);
        Assert.Equal(("chat", "404", ActivityStatusCode.Error), (span.GetTagItem("gen_ai.operation.name"), span.GetTagItem("error.type"), span.Status));
    }

    [Fact]
    public async Task RefusedAfterRouting_SpanAndDurationSeriesNameTheRoutesEngine()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "traced");
        var (gateway, exported) = await StartTracedAsync(sim);
        await using var _ = gateway;
        var (_, created) = await Json.PostAsync(gateway.Client, "/admin/keys", """{"id":"frugal","limits":{"tpm":5}}""");
        using var frugal = gateway.ClientWith(created.GetProperty("secret").GetString());

        using var response = await frugal.PostAsync("/v1/chat/completions", Json.Body("""{"model":"traced","messages":[{"role":"user","content":"a"}],"max_tokens":100}"""));

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(0, sim.RequestsServed);
        Assert.True(await Eventually.TrueWithinAsync(() => Flushed(gateway, exported).Any(s => s.GetTagItem("gen_ai.operation.name") is not null), TimeSpan.FromSeconds(5)));
        var span = Flushed(gateway, exported).Single(s => s.GetTagItem("gen_ai.operation.name") is not null);
        Assert.Equal(("vllm", "tokens_too_large"), (span.GetTagItem("gen_ai.provider.name"), span.GetTagItem("error.type")));
        // No engine instance was chosen: server.* stay ASP.NET Core's own (the gateway's address as the client called it).
        Assert.Equal(gateway.Client.BaseAddress!.Port, span.GetTagItem("server.port"));
        var duration = Assert.Single(gateway.Observer.Measurements);
        Assert.Equal("vllm", duration.Provider);
    }

    [Fact]
    public async Task FailedRequest_SpanHasErrorTypeAndErrorStatus()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "traced", "--failure-rate", "1", "--failure-types", "server_error");
        var (gateway, exported) = await StartTracedAsync(sim);
        await using var _ = gateway;

        using var response = await gateway.Client.PostAsync("/v1/completions", Json.Body("""{"model":"traced","prompt":"a","max_tokens":1}"""));

        Assert.True((int)response.StatusCode >= 500, $"got {response.StatusCode}");
        Assert.True(await Eventually.TrueWithinAsync(() => Flushed(gateway, exported).Any(s => s.GetTagItem("gen_ai.operation.name") is not null), TimeSpan.FromSeconds(5)));
        var span = Flushed(gateway, exported).Single(s => s.GetTagItem("gen_ai.operation.name") is not null);
        Assert.Equal("text_completion", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), span.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task ControlPlanePolls_NotTracedByDefault_TracedWhenSwitchedOn()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "traced");
        var (quietGateway, quiet) = await StartTracedAsync(sim);
        await using (quietGateway)
        {
            await Task.Delay(1000); // about five discovery and health rounds
            Assert.True(quietGateway.Instance("sim").Lists("traced")); // the polls did run
            Assert.DoesNotContain(Flushed(quietGateway, quiet), s => IsEngineCall(s, "/v1/models") || IsEngineCall(s, "/health"));
        }

        var (loudGateway, loud) = await StartTracedAsync(sim, $"logging: {{ dir: \"{Path.Combine(Path.GetTempPath(), "llmhost-trace-logs")}\", trace_control_plane: true }}");
        await using (loudGateway)
        {
            Assert.True(await Eventually.TrueWithinAsync(() => Flushed(loudGateway, loud).Any(s => IsEngineCall(s, "/v1/models")), TimeSpan.FromSeconds(5)));
        }
    }

    /// <summary>The exporter adds from its own thread while the test reads: every access under one lock.</summary>
    private sealed class LockedList<T> : ICollection<T>
    {
        private readonly List<T> _items = [];

        public List<T> Snapshot()
        {
            lock (_items)
            {
                return [.. _items];
            }
        }

        public void Add(T item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public bool IsReadOnly => false;
        public void Clear() { lock (_items) { _items.Clear(); } }
        public bool Contains(T item) { lock (_items) { return _items.Contains(item); } }
        public void CopyTo(T[] array, int arrayIndex) { lock (_items) { _items.CopyTo(array, arrayIndex); } }
        public bool Remove(T item) { lock (_items) { return _items.Remove(item); } }
        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
