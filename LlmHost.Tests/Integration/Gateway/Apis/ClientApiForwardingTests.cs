using System.Net;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Integration.Gateway.Apis;

/// <summary>What reaches an engine on the new APIs, and what a client is told when the engine lacks one.</summary>
[Trait("Category", "Integration")]
public sealed class ClientApiForwardingTests
{
    private static string Config(FakeEngine engine, string extra = "") => $$"""
        routing: { discovery_interval: 1h, health_check_interval: 1h }
        backends:
          - { name: fake, engine: vllm, mode: external, model: fake, url: "{{engine.Address}}"{{extra}} }
        """;

    [Fact]
    public async Task Messages_AnthropicHeaders_VersionPassedCredentialsNot()
    {
        await using var engine = await FakeEngine.StartAsync();
        engine.Completions = context => context.Response.WriteAsJsonAsync(new { id = "msg_1", type = "message", usage = new { input_tokens = 3, output_tokens = 2 } });
        await using var gateway = await GatewayHost.StartAsync(Config(engine));
        using var anthropic = gateway.ClientWith(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json.Body("""{"model":"fake","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""") };
        request.Headers.Add("x-api-key", GatewayHost.UserSecret);
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("anthropic-beta", "tools-2024-04-04");

        using var response = await anthropic.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(engine.Requests);
        Assert.Equal("/v1/messages", received.Path);
        Assert.Equal("2023-06-01", received.Headers["anthropic-version"]);
        Assert.Equal("tools-2024-04-04", received.Headers["anthropic-beta"]);
        Assert.False(received.Headers.ContainsKey("x-api-key"));
        Assert.Equal((3, 2), (gateway.Observer.Last.PromptTokens, gateway.Observer.Last.CompletionTokens));
    }

    [Fact]
    public async Task ChatCompletions_AnthropicHeaders_NotPassed()
    {
        await using var engine = await FakeEngine.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(Config(engine));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"model":"fake","messages":[]}""") };
        request.Headers.Add("anthropic-version", "2023-06-01");

        using var response = await user.SendAsync(request);

        Assert.False(Assert.Single(engine.Requests).Headers.ContainsKey("anthropic-version"));
    }

    [Fact]
    public async Task Messages_EngineReleaseWithoutTheApi_501WithoutAskingTheEngine()
    {
        await using var engine = await FakeEngine.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(Config(engine, ", version: \"0.10.2\""));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        using var messages = await user.PostAsync("/v1/messages", Json.Body("""{"model":"fake","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}"""));
        var (responses, _) = await Json.PostAsync(user, "/v1/responses", """{"model":"fake","input":"hi"}""");
        var body = await Json.ReadAsync(messages);

        Assert.Equal(HttpStatusCode.NotImplemented, messages.StatusCode);
        Assert.Equal("error", body.GetProperty("type").GetString());
        Assert.Contains("/v1/messages", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, responses.StatusCode);
        Assert.Single(engine.Requests);
    }

    [Fact]
    public async Task Responses_EngineWithoutTheRoute_501NotTheEnginesConfusing404()
    {
        await using var engine = await FakeEngine.StartAsync();
        engine.Completions = async context =>
        {
            context.Response.StatusCode = 404;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"detail":"Not Found"}""");
        };
        await using var gateway = await GatewayHost.StartAsync(Config(engine));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        var (response, body) = await Json.PostAsync(user, "/v1/responses", """{"model":"fake","input":"hi"}""");
        var (chat, _) = await Json.PostAsync(user, "/v1/chat/completions", """{"model":"fake","messages":[]}""");

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("unsupported_api", body.GetProperty("error").GetProperty("code").GetString());
        // Chat completions are served by every engine: a 404 there stays the engine's.
        Assert.Equal(HttpStatusCode.NotFound, chat.StatusCode);
    }
}
