using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Integration.Gateway.Hardening;

/// <summary>What crosses the gateway besides the body: which client headers reach the engine, which engine headers and error text reach the client.</summary>
[Trait("Category", "Integration")]
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private FakeEngine _engine = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _engine = await FakeEngine.StartAsync("m");
        Environment.SetEnvironmentVariable("LLMHOST_TEST_ENGINE_KEY", "engine-secret");
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: v, engine: vllm, mode: external, model: m, url: "{{_engine.Address}}", api_key_env: LLMHOST_TEST_ENGINE_KEY }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _engine.DisposeAsync();
    }

    [Fact]
    public async Task ClientHostAndForwardingHeaders_NeverReachTheEngine()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"model":"m","messages":[]}""") };
        request.Headers.Host = "evil.example:6666";
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("Forwarded", "for=203.0.113.9;host=evil.example");
        request.Headers.Add("X-Real-IP", "203.0.113.9");
        request.Headers.Add("X-Request-Id", "chosen-by-the-client");
        request.Headers.Add("Cookie", "session=1");

        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(request)).StatusCode);

        var received = Assert.Single(_engine.Requests).Headers;
        Assert.Equal(_engine.Address.Authority, received["Host"]);
        Assert.Equal("Bearer engine-secret", received["Authorization"]);
        foreach (var header in (string[])["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "X-Real-IP", "X-Request-Id", "Cookie"])
        {
            Assert.False(received.ContainsKey(header), $"{header} reached the engine");
        }
    }

    // Sends a request with the given trace headers; the headers the engine received.
    private async Task<IReadOnlyDictionary<string, string>> SendTracedAsync(params (string Name, string Value)[] headers)
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"model":"m","messages":[]}""") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(request)).StatusCode);
        return Assert.Single(_engine.Requests).Headers;
    }

    [Fact]
    public async Task TraceContext_ClientsValidTraceparent_TheEngineJoinsItsTraceBelowTheGateway()
    {
        // Whether or not a tracer records the gateway's span (another test may listen meanwhile), the trace goes on.
        const string TraceId = "0af7651916cd43dd8448eb211c80319c";
        const string ClientSpan = "b7ad6b7169203331";

        var received = await SendTracedAsync(("traceparent", $"00-{TraceId}-{ClientSpan}-01"), ("tracestate", "congo=t61rcWkgMzE"));

        Assert.True(ActivityContext.TryParse(received["traceparent"], received.GetValueOrDefault("tracestate"), out var context));
        Assert.Equal(TraceId, context.TraceId.ToHexString());
        Assert.NotEqual(ClientSpan, context.SpanId.ToHexString());
        Assert.Equal("congo=t61rcWkgMzE", received["tracestate"]);
    }

    [Fact]
    public async Task TraceContext_NoneFromTheClient_TheEngineGetsTheGatewaysRequestTrace()
    {
        var received = await SendTracedAsync();

        Assert.True(ActivityContext.TryParse(received["traceparent"], null, out var context));
        Assert.NotEqual(default, context.TraceId);
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c,b7ad6b7169203331;01")]
    [InlineData("a client's text that is no trace context, 55 characters")]
    public async Task TraceContext_MalformedTraceparent_IsNotPassedOn(string traceparent)
    {
        var received = await SendTracedAsync(("traceparent", traceparent), ("tracestate", "congo=t61rcWkgMzE"));

        Assert.NotEqual(traceparent, received["traceparent"]);
        Assert.True(ActivityContext.TryParse(received["traceparent"], null, out _));
        Assert.False(received.ContainsKey("tracestate"));
    }

    [Fact]
    public async Task UnlistedClientHeaders_NeverReachTheEngine()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"model":"m","messages":[]}""") };
        request.Headers.Add("X-Return-Error", "500");
        request.Headers.Add("X-Engine-Priority", "high");
        request.Headers.Add("OpenAI-Organization", "org-1");
        request.Headers.Add("Accept-Language", "fr");
        request.Headers.Add("Accept", "application/json");
        request.Headers.Add("User-Agent", "OpenAI/Python 1.50");

        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(request)).StatusCode);

        var received = Assert.Single(_engine.Requests).Headers;
        string[] expected = ["Host", "Authorization", "Content-Type", "Content-Length", "Accept", "User-Agent", "traceparent", "tracestate", "baggage"];
        Assert.All(received.Keys, name => Assert.Contains(name, expected, StringComparer.OrdinalIgnoreCase));
        Assert.Equal("application/json", received["Accept"]);
        Assert.Equal("OpenAI/Python 1.50", received["User-Agent"]);
        Assert.Equal("application/json; charset=utf-8", received["Content-Type"]);
    }

    [Fact]
    public async Task ForwardHeaders_AListedHeader_ReachesTheEngine_OthersStill()
    {
        await using var engine = await FakeEngine.StartAsync("m");
        await using var gateway = await GatewayHost.StartAsync($$"""
            gateway: { forward_headers: [X-Tenant-Region] }
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: v, engine: vllm, mode: external, model: m, url: "{{engine.Address}}" }
            """);
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"model":"m","messages":[]}""") };
        request.Headers.Add("X-Tenant-Region", "eu");
        request.Headers.Add("X-Other", "1");

        Assert.Equal(HttpStatusCode.OK, (await user.SendAsync(request)).StatusCode);

        var received = Assert.Single(engine.Requests).Headers;
        Assert.Equal("eu", received["X-Tenant-Region"]);
        Assert.False(received.ContainsKey("X-Other"));
    }

    [Theory]
    [InlineData("/V1/Chat/Completions")]
    [InlineData("/v1/chat/completions/")]
    [InlineData("/v1/chat/completions?api-version=1&x=%00")]
    public async Task OddSpellingsOfThePath_ReachTheEngineAsTheRoutesOwn(string path)
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);

        using var response = await user.PostAsync(path, Json.Body("""{"model":"m","messages":[]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_engine.Requests);
        Assert.Equal("/v1/chat/completions", received.Path);
        Assert.Equal("", received.Query);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(307)]
    public async Task EngineRedirect_BecomesA502_WithoutItsLocation(int status)
    {
        _engine.Completions = context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = "http://169.254.169.254/latest/meta-data/";
            return Task.CompletedTask;
        };
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);

        var (response, body) = await Json.PostAsync(user, "/v1/chat/completions", """{"model":"m","messages":[]}""");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("server_error", body.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task EngineServerHeader_IsNotPassedOn()
    {
        _engine.Completions = context =>
        {
            context.Response.Headers.Server = "uvicorn";
            return FakeEngine.JsonAnswer(context);
        };
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);

        using var response = await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Headers.Server);
    }

    [Fact]
    public async Task EngineErrorWithALongMessage_KeepsTheStatusAndABoundedMessage()
    {
        var text = "Traceback (most recent call last): " + new string('z', 20_000);
        _engine.Completions = async context =>
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"object":"error","message":"{{text}}","type":"InternalServerError","code":500}""");
        };
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);

        var (response, body) = await Json.PostAsync(user, "/v1/chat/completions", """{"model":"m","messages":[]}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var message = body.GetProperty("error").GetProperty("message").GetString()!;
        Assert.StartsWith("Traceback", message);
        Assert.InRange(message.Length, 100, LlmHost.Gateway.Proxy.BackendTransformer.MaxErrorMessageLength + 1);
        Assert.Equal("server_error", body.GetProperty("error").GetProperty("type").GetString());
    }
}
