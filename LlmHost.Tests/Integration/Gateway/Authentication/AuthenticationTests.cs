using System.Net;
using System.Text.Json;
using LlmHost.Gateway.Keys;
using Microsoft.AspNetCore.Routing;

namespace LlmHost.Tests.Integration.Gateway.Authentication;

/// <summary>Every authentication outcome, with its status and OpenAI-shaped body.</summary>
[Trait("Category", "Integration")]
public sealed class AuthenticationTests : IAsyncLifetime
{
    private const string Restricted = "sk-llmhost-qwenonly-RestrictedTestSecret0000000000000000000";
    private const string Expired = "sk-llmhost-expired-ExpiredTestSecret000000000000000000000000";
    private const string Disabled = "sk-llmhost-off-DisabledTestSecret0000000000000000000000000";
    private const string Plaintext = "sk-llmhost-legacy-PlaintextMigrationSecret0000000000000000";

    private SimulatorHost _sim = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "org/qwen", "--served-model-name", "qwen", "--lora-modules", "sql=/s");
        var keys = $$$"""
            {"keys": [
              {"id": "testadmin", "role": "admin", "key_sha256": "{{{Sha256Hash.Of(GatewayHost.AdminSecret).ToHex()}}}"},
              {"id": "testuser", "role": "user", "key_sha256": "{{{Sha256Hash.Of(GatewayHost.UserSecret).ToHex()}}}", "models": ["*"]},
              {"id": "qwenonly", "role": "user", "key_sha256": "{{{Sha256Hash.Of(Restricted).ToHex()}}}", "models": ["qwen*"]},
              {"id": "expired", "role": "user", "key_sha256": "{{{Sha256Hash.Of(Expired).ToHex()}}}", "expires_at": "2020-01-01T00:00:00Z"},
              {"id": "off", "role": "user", "key_sha256": "{{{Sha256Hash.Of(Disabled).ToHex()}}}", "disabled": true},
              {"id": "legacy", "role": "user", "key": "{{{Plaintext}}}"}
            ]}
            """;
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: org/qwen, url: "{{_sim.Address}}" }
            """, keys);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sim.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> Chat(Action<HttpRequestMessage> auth, string model = "qwen")
    {
        using var client = _gateway.ClientWith(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json.Body($$"""{"model":"{{model}}","messages":[],"max_tokens":1}"""),
        };
        auth(request);
        var response = await client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone(), response);
    }

    private static void AssertInvalidKey(HttpStatusCode status, JsonElement body, string message)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        var error = body.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Missing_Is401()
    {
        var (status, body, response) = await Chat(_ => { });

        AssertInvalidKey(status, body, "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_API_KEY' (or in x-api-key).");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Malformed_Is401()
    {
        var (status, body, _) = await Chat(r => r.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNz"));

        AssertInvalidKey(status, body, "The Authorization header must be 'Bearer YOUR_API_KEY'.");
    }

    [Fact]
    public async Task Unknown_Is401_NamingOnlyThePublicId()
    {
        const string Wrong = "sk-llmhost-qwenonly-WrongSecretWrongSecretWrongSecret00000000";
        var (status, body, _) = await Chat(r => r.Headers.Authorization = new("Bearer", Wrong));

        AssertInvalidKey(status, body, "Incorrect API key provided for key id 'qwenonly'.");
        Assert.DoesNotContain("WrongSecret", body.GetRawText());
    }

    [Fact]
    public async Task Expired_Is401()
    {
        var (status, body, _) = await Chat(r => r.Headers.Authorization = new("Bearer", Expired));

        AssertInvalidKey(status, body, "The API key 'expired' expired at 2020-01-01 00:00:00Z.");
    }

    [Fact]
    public async Task Disabled_Is401()
    {
        var (status, body, _) = await Chat(r => r.Headers.Authorization = new("Bearer", Disabled));

        AssertInvalidKey(status, body, "The API key 'off' is disabled.");
    }

    [Fact]
    public async Task TwoDifferentKeys_Is401()
    {
        var (status, body, _) = await Chat(r =>
        {
            r.Headers.Authorization = new("Bearer", GatewayHost.UserSecret);
            r.Headers.Add("x-api-key", Restricted);
        });

        AssertInvalidKey(status, body, "Two different API keys were sent (Authorization and x-api-key). Send one key.");
    }

    [Fact]
    public async Task SameKeyInBothHeaders_IsAccepted_AndXApiKeyAloneToo()
    {
        var (both, _, _) = await Chat(r =>
        {
            r.Headers.Authorization = new("Bearer", GatewayHost.UserSecret);
            r.Headers.Add("x-api-key", GatewayHost.UserSecret);
        });
        var (header, _, _) = await Chat(r => r.Headers.Add("x-api-key", GatewayHost.UserSecret));

        Assert.Equal(HttpStatusCode.OK, both);
        Assert.Equal(HttpStatusCode.OK, header);
    }

    [Fact]
    public async Task PlaintextMigrationKey_Works()
    {
        var (status, _, _) = await Chat(r => r.Headers.Authorization = new("Bearer", Plaintext));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task ModelTheKeyMayNotUse_Is403()
    {
        var (allowed, _, _) = await Chat(r => r.Headers.Authorization = new("Bearer", Restricted));
        var (status, body, _) = await Chat(r => r.Headers.Authorization = new("Bearer", Restricted), model: "sql");

        Assert.Equal(HttpStatusCode.OK, allowed);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        var error = body.GetProperty("error");
        Assert.Equal("permission_error", error.GetProperty("type").GetString());
        Assert.Equal("model_not_allowed", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Models_ListsOnlyWhatTheKeyMayUse()
    {
        using var restricted = _gateway.ClientWith(Restricted);
        using var everyone = _gateway.ClientWith(GatewayHost.UserSecret);

        var mine = (await Json.GetAsync(restricted, "/v1/models")).GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString());
        var all = (await Json.GetAsync(everyone, "/v1/models")).GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString());
        var hidden = await restricted.GetAsync("/v1/models/sql");

        Assert.Equal(["qwen"], mine);
        Assert.Equal(["qwen", "sql"], all);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task AdminRoute_UserKey_Is403_NoKey_Is401()
    {
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        using var anonymous = _gateway.ClientWith(null);

        var forbidden = await user.GetAsync("/admin/keys");
        var unauthenticated = await anonymous.GetAsync("/admin/keys");
        var body = JsonDocument.Parse(await forbidden.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("permission_error", body.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/v1/audio/speech")] // no such route
    [InlineData("GET", "/v1/chat/completions")] // a method the route does not take
    [InlineData("OPTIONS", "/v1/models")]
    [InlineData("GET", "/admin/nothing-here")]
    public async Task UnmatchedClientPath_NoKey_Is401_WithAKey_ItsOwnAnswer(string method, string path)
    {
        using var anonymous = _gateway.ClientWith(null);
        using var admin = _gateway.ClientWith(GatewayHost.AdminSecret);

        var unauthenticated = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var keyed = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.False(unauthenticated.Content.Headers.Allow.Count > 0); // nothing about the route before a key
        Assert.True(keyed.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{method} {path}: {keyed.StatusCode}");
    }

    [Fact]
    public async Task EveryClientEndpoint_NeedsAKey_AdminOnesTheAdminRole()
    {
        var endpoints = _gateway.Get<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var requirements = endpoint.Metadata.GetOrderedMetadata<LlmHost.Gateway.Authentication.ApiKeyRequirement>();
            if (pattern.StartsWith("/v1", StringComparison.Ordinal))
            {
                Assert.True(requirements.Count > 0, pattern);
            }
            else if (pattern.StartsWith("/admin", StringComparison.Ordinal))
            {
                Assert.Contains(requirements, r => r.Admin);
            }
            else
            {
                Assert.Contains(pattern, new[] { "/health", "/health/ready", "/alive", "/metrics" });
            }
        }
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.Contains("admin/keys", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HealthAndMetrics_NeedNoKey()
    {
        using var anonymous = _gateway.ClientWith(null);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
    }
}
