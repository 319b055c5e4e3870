using System.Net;
using System.Text;
using LlmHost.Gateway.RateLimiting;

namespace LlmHost.Tests.Integration.Gateway.Hardening;

/// <summary>How long a request body holds memory: until the engine has read it, and never past the body timeout.</summary>
[Trait("Category", "Integration")]
public sealed class BodyLifetimeTests
{
    [Fact]
    public async Task Body_OnceTheEngineReadIt_IsNotHeldWhileTheAnswerIsAwaited()
    {
        await using var engine = await FakeEngine.StartAsync("m");
        var answer = new TaskCompletionSource();
        engine.Completions = async context =>
        {
            await answer.Task;
            await FakeEngine.JsonAnswer(context);
        };
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: v, engine: vllm, mode: external, model: m, url: "{{engine.Address}}" }
            """);
        var budget = gateway.Get<RequestBodyBudget>();
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        var pending = user.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"m","messages":[{"role":"user","content":"{{new string('a', 200_000)}}"}]}"""));
        Assert.True(await Eventually.TrueWithinAsync(() => !engine.Requests.IsEmpty, TimeSpan.FromSeconds(10)));

        Assert.True(await Eventually.TrueWithinAsync(() => budget.Total == 0, TimeSpan.FromSeconds(2)), $"{budget.Total} bytes still held");
        answer.SetResult();
        using var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, budget.Total);
    }

    [Fact]
    public async Task Body_StalledAfterAFastStart_Gets408AtTheBodyTimeout()
    {
        await using var gateway = await GatewayHost.StartAsync("""
            gateway: { server: { request_body_timeout: 1s } }
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: v, engine: vllm, mode: external, model: m, url: "http://127.0.0.1:9" }
            """);
        var head = RawHttp.Request("POST", "/v1/chat/completions", GatewayHost.UserSecret, contentLength: 1_000_000);
        var answeredAfter = TimeSpan.Zero;

        // 500 KB at once keeps the average rate far above the minimum for minutes: only the body timeout ends it.
        var answer = await RawHttp.SendAsync(gateway.Address, head, TimeSpan.FromSeconds(30), async stream =>
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes("{\"model\":\"m\",\"pad\":\"" + new string('x', 500_000)));
            var stalled = System.Diagnostics.Stopwatch.StartNew();
            while (!stream.DataAvailable && stalled.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(50);
            }
            answeredAfter = stalled.Elapsed;
        });

        Assert.Equal(408, answer.Status);
        Assert.InRange(answeredAfter, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
        Assert.Equal(0, gateway.Get<RequestBodyBudget>().Total);
    }
}
