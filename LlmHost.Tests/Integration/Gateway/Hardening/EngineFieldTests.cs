using System.Net;
using System.Text.Json;
using LlmHost.Backends.Engines;

namespace LlmHost.Tests.Integration.Gateway.Hardening;

/// <summary>
/// Engine fields in the body: an adapter named by SGLang's lora_path is the model the request uses (allow-list,
/// routing, access log), and the fields only an operator may set are refused — or cut, when config.yaml says so.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EngineFieldTests : IAsyncLifetime
{
    private FakeEngine _engine = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _narrow = null!;

    public async Task InitializeAsync()
    {
        _engine = await FakeEngine.StartAsync("s1", ("secret-adapter", "s1"), ("public-adapter", "s1"), ("other-adapter", "other"));
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: s, engine: sglang, mode: external, model: s1, url: "{{_engine.Address}}" }
            """);
        var (_, created) = await Json.PostAsync(_gateway.Client, "/admin/keys", """{"id":"narrow","models":["s1","public-*"]}""");
        _narrow = _gateway.ClientWith(created.GetProperty("secret").GetString());
    }

    public async Task DisposeAsync()
    {
        _narrow.Dispose();
        await _gateway.DisposeAsync();
        await _engine.DisposeAsync();
    }

    private static string Chat(string extra) => $$"""{"model":"s1","messages":[{"role":"user","content":"hi"}]{{extra}}}""";

    [Fact]
    public async Task LoraPath_AdapterTheKeyMayNotUse_Is403()
    {
        var (response, body) = await Json.PostAsync(_narrow, "/v1/chat/completions", Chat(""","lora_path":"secret-adapter" """));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("model_not_allowed", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("secret-adapter", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(_engine.Requests);
    }

    [Fact]
    public async Task LoraPath_AllowedAdapter_IsRoutedAsTheAdapterAndTheFieldIsCut()
    {
        var (response, _) = await Json.PostAsync(_narrow, "/v1/chat/completions", Chat(""","lora_path":"public-adapter" """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = JsonDocument.Parse(Assert.Single(_engine.Requests).Body).RootElement;
        Assert.Equal("s1:public-adapter", sent.GetProperty("model").GetString());
        Assert.False(sent.TryGetProperty("lora_path", out _));
    }

    [Theory]
    [InlineData("other-adapter", HttpStatusCode.BadRequest, null)]
    [InlineData("no-such-adapter", HttpStatusCode.NotFound, "model_not_found")]
    public async Task LoraPath_NotAnAdapterOfTheModel_IsRefused(string adapter, HttpStatusCode status, string? code)
    {
        var (response, body) = await Json.PostAsync(_gateway.ClientWith(GatewayHost.UserSecret), "/v1/chat/completions", Chat($$""","lora_path":"{{adapter}}" """));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("lora_path", body.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(code, body.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(_engine.Requests);
    }

    public static TheoryData<string, string> OperatorFields()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in EngineProfile.AllOperatorOnlyFields)
        {
            if (field != "priority") // a string priority names a class (PriorityClass_* below)
            {
                data.Add(field, "\"x\"");
            }
            data.Add(field, "1");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OperatorFields))]
    public async Task OperatorOnlyField_IsRefusedWith400(string field, string value)
    {
        var (response, body) = await Json.PostAsync(_gateway.ClientWith(GatewayHost.UserSecret), "/v1/chat/completions", Chat($$""","{{field}}":{{value}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body.GetProperty("error");
        Assert.Equal(field, error.GetProperty("param").GetString());
        Assert.Equal("unsupported_parameter", error.GetProperty("code").GetString());
        Assert.Empty(_engine.Requests);
    }

    [Fact]
    public async Task OperatorOnlyFields_ConfiguredToBeRemoved_AreCutAndTheRestForwarded()
    {
        await using var engine = await FakeEngine.StartAsync("m");
        await using var gateway = await GatewayHost.StartAsync($$"""
            gateway: { operator_fields: remove }
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: v, engine: vllm, mode: external, model: m, url: "{{engine.Address}}" }
            """);

        var (response, _) = await Json.PostAsync(gateway.ClientWith(GatewayHost.UserSecret), "/v1/chat/completions",
            """{"priority":-100,"model":"m","request_id":"mine","messages":[{"role":"user","content":"hi"}],"kv_transfer_params":{"a":1},"rid":"r"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = JsonDocument.Parse(Assert.Single(engine.Requests).Body).RootElement;
        Assert.Equal(["model", "messages"], sent.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task PriorityClassByName_CutBeforeTheEngine_VllmPriorityOnlyWhereScheduledByPriority()
    {
        await using var engine = await FakeEngine.StartAsync("m");
        await using var scheduled = await FakeEngine.StartAsync("p");
        await using var gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: v, engine: vllm, mode: external, model: m, url: "{{engine.Address}}" }
              - { name: p, engine: vllm, mode: external, model: p, url: "{{scheduled.Address}}", priority_scheduling: true }
            """);
        using var user = gateway.ClientWith(GatewayHost.UserSecret);

        var (plain, _) = await Json.PostAsync(user, "/v1/chat/completions", """{"model":"m","priority":"batch","messages":[]}""");
        var (ranked, _) = await Json.PostAsync(user, "/v1/chat/completions", """{"model":"p","priority":"batch","messages":[]}""");
        var (unknown, body) = await Json.PostAsync(user, "/v1/chat/completions", """{"model":"m","priority":"urgent","messages":[]}""");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.BadRequest), (plain.StatusCode, ranked.StatusCode, unknown.StatusCode));
        Assert.Equal("priority", body.GetProperty("error").GetProperty("param").GetString());
        var sent = JsonDocument.Parse(Assert.Single(engine.Requests).Body).RootElement;
        Assert.False(sent.TryGetProperty("priority", out _));
        // vLLM's number for batch, where the engine schedules by priority.
        Assert.Equal(1, JsonDocument.Parse(Assert.Single(scheduled.Requests).Body).RootElement.GetProperty("priority").GetInt32());
    }
}
