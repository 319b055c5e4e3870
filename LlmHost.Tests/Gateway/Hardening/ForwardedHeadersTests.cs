using System.Net;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Gateway.Hardening;

/// <summary>What crosses the gateway besides the body: which client headers reach the engine, which engine headers and error text reach the client.</summary>
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
