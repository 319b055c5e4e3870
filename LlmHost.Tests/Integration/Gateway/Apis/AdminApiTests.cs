using System.Net;
using System.Text.Json;
using LlmHost.Gateway.Keys;

using LlmHost.Gateway.Utilities;

namespace LlmHost.Tests.Integration.Gateway.Apis;

/// <summary>The admin API over HTTP: the whole key lifecycle, rotation overlap, safe concurrent writes, reloads.</summary>
[Trait("Category", "Integration")]
public sealed class AdminApiTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;
    private GatewayHost _gateway = null!;

    /// <summary>Secrets created by these tests, for the log scan.</summary>
    internal static readonly System.Collections.Concurrent.ConcurrentBag<string> CreatedSecrets = [];

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        _gateway = await GatewayHost.StartAsync($$"""
            gateway: { key_rotation_overlap: 1h }
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: m, url: "{{_sim.Address}}" }
            """);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _sim.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Json.Body(json) };
        var response = await _gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<string> CreateAsync(string id, string json = "")
    {
        var (status, body) = await Send(HttpMethod.Post, "/admin/keys", $$"""{"id":"{{id}}"{{json}}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var secret = body.GetProperty("secret").GetString()!;
        CreatedSecrets.Add(secret);
        return secret;
    }

    private async Task<HttpStatusCode> ChatWith(string secret, string model = "m")
    {
        using var client = _gateway.ClientWith(secret);
        return (await client.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"{{model}}","messages":[],"max_tokens":1}"""))).StatusCode;
    }

    [Fact]
    public async Task KeyLifecycle_CreateListUpdateDisableEnableDelete()
    {
        var secret = await CreateAsync("life", ""","name":"Lifecycle","models":["m"],"limits":{"qps":3}""");
        Assert.StartsWith("sk-llmhost-life-", secret);
        Assert.Equal(HttpStatusCode.OK, await ChatWith(secret));

        var (_, list) = await Send(HttpMethod.Get, "/admin/keys");
        var listed = list.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetString() == "life");
        Assert.Equal("Lifecycle", listed.GetProperty("name").GetString());
        Assert.DoesNotContain(secret, list.GetRawText());
        Assert.DoesNotContain("sha256", list.GetRawText());

        var (updated, body) = await Send(HttpMethod.Patch, "/admin/keys/life", """{"models":["other"],"name":"Renamed"}""");
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal("Renamed", body.GetProperty("name").GetString());
        Assert.Equal(3, body.GetProperty("limits").GetProperty("qps").GetDouble());
        Assert.Equal(HttpStatusCode.Forbidden, await ChatWith(secret));

        await Send(HttpMethod.Patch, "/admin/keys/life", """{"models":["*"]}""");
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/admin/keys/life/disable")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatWith(secret));
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, "/admin/keys/life/enable")).Status);
        Assert.Equal(HttpStatusCode.OK, await ChatWith(secret));

        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, "/admin/keys/life")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatWith(secret));
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Delete, "/admin/keys/life")).Status);

        var audit = await File.ReadAllLinesAsync(Path.Combine(Path.GetDirectoryName(_gateway.KeysPath)!, "logs", "audit.log"));
        var actions = audit.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("key_id").GetString() == "life")
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["create", "update", "update", "disable", "enable", "delete"], actions);
        Assert.All(audit, line => Assert.Equal("testadmin", JsonDocument.Parse(line).RootElement.GetProperty("actor").GetString()));
        Assert.DoesNotContain(audit, line => line.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_InvalidOrDuplicate_IsRejected()
    {
        await CreateAsync("dup");

        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Post, "/admin/keys", """{"id":"dup"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Post, "/admin/keys", """{"id":"Not Valid"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Post, "/admin/keys", """{"id":"x","role":"root"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Send(HttpMethod.Post, "/admin/keys", """{"id":""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(HttpMethod.Patch, "/admin/keys/ghost", "{}")).Status);
    }

    [Fact]
    public async Task Rotate_OldSecretWorksDuringOverlap_ThenOnlyTheNewOne()
    {
        var first = await CreateAsync("rot");

        var (status, body) = await Send(HttpMethod.Post, "/admin/keys/rot/rotate", """{"overlap_seconds":3600}""");
        var second = body.GetProperty("secret").GetString()!;
        CreatedSecrets.Add(second);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.OK, await ChatWith(first));
        Assert.Equal(HttpStatusCode.OK, await ChatWith(second));

        var (_, again) = await Send(HttpMethod.Post, "/admin/keys/rot/rotate", """{"overlap_seconds":0}""");
        var third = again.GetProperty("secret").GetString()!;
        CreatedSecrets.Add(third);

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatWith(first));
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatWith(second));
        Assert.Equal(HttpStatusCode.OK, await ChatWith(third));
    }

    [Fact]
    public async Task TwentyConcurrentWrites_AllLand_InAValidFile()
    {
        var secrets = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => CreateAsync($"conc-{i}")));

        var file = ApiKeyFileLoader.Load(await File.ReadAllBytesAsync(_gateway.KeysPath));
        Assert.Empty(file.Errors);
        Assert.Equal(20, file.Keys.Count(k => k.Id.StartsWith("conc-", StringComparison.Ordinal)));
        foreach (var secret in secrets)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatWith(secret));
        }
    }

    [Fact]
    public async Task HandEditBetweenAdminWrites_IsKept()
    {
        await CreateAsync("before");
        var text = await File.ReadAllTextAsync(_gateway.KeysPath);
        var handKey = "sk-llmhost-byhand-HandWrittenSecret00000000000000000000000000";
        var edited = text.Replace("\"keys\": [", $$"""
            "keys": [
              { "id": "byhand", "role": "user", "key_sha256": "{{Sha256Hash.Of(handKey).ToHex()}}" },
            """);
        await File.WriteAllTextAsync(_gateway.KeysPath, edited);

        await CreateAsync("after");

        var ids = ApiKeyFileLoader.Load(await File.ReadAllBytesAsync(_gateway.KeysPath)).Keys.Select(k => k.Id).ToList();
        Assert.Contains("byhand", ids);
        Assert.Contains("before", ids);
        Assert.Contains("after", ids);
        Assert.Equal(HttpStatusCode.OK, await ChatWith(handKey));
    }

    [Fact]
    public async Task InvalidHandEdit_KeepsKeys_ReportsIt_AndRefusesAdminWrites()
    {
        var secret = await CreateAsync("survivor");
        var good = await File.ReadAllTextAsync(_gateway.KeysPath);
        try
        {
            await File.WriteAllTextAsync(_gateway.KeysPath, good.Replace("\"role\": \"user\"", "\"role\": \"superuser\""));

            Assert.True(await Eventually.TrueWithinAsync(async () => (await Send(HttpMethod.Get, "/admin/health")).Body.GetProperty("status").GetString() == "degraded", TimeSpan.FromSeconds(3)));
            var health = (await Send(HttpMethod.Get, "/admin/health")).Body;
            Assert.Contains("'superuser' is not one of admin, user", health.GetProperty("keys_error").GetString());
            Assert.Equal(HttpStatusCode.OK, await ChatWith(secret));
            Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Post, "/admin/keys", """{"id":"blocked"}""")).Status);
        }
        finally
        {
            await File.WriteAllTextAsync(_gateway.KeysPath, good);
            await Send(HttpMethod.Post, "/admin/reload");
        }
    }

    [Fact]
    public async Task ValidHandEdit_AppliesWithinTwoSeconds()
    {
        var handKey = "sk-llmhost-hotkey-HotReloadSecret0000000000000000000000000000";
        var text = await File.ReadAllTextAsync(_gateway.KeysPath);
        await File.WriteAllTextAsync(_gateway.KeysPath, text.Replace("\"keys\": [", $$"""
            "keys": [
              { "id": "hotkey", "role": "user", "key_sha256": "{{Sha256Hash.Of(handKey).ToHex()}}" },
            """));

        Assert.True(await Eventually.TrueWithinAsync(async () => await ChatWith(handKey) == HttpStatusCode.OK, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task FileReplacedDuring50Requests_LosesNone()
    {
        var text = await File.ReadAllTextAsync(_gateway.KeysPath);
        using var client = _gateway.ClientWith(GatewayHost.UserSecret);
        var requests = Enumerable.Range(0, 50).Select(async i =>
        {
            await Task.Delay(i * 10);
            return (await client.PostAsync("/v1/chat/completions", Json.Body("""{"model":"m","messages":[],"max_tokens":1}"""))).StatusCode;
        }).ToList();
        for (var i = 0; i < 5; i++)
        {
            AtomicFile.Write(_gateway.KeysPath, System.Text.Encoding.UTF8.GetBytes(text + new string(' ', i)));
            await Task.Delay(80);
        }

        var statuses = await Task.WhenAll(requests);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task ReadRoutes_BackendsRoutesUsage()
    {
        await ChatWith(GatewayHost.UserSecret);

        var backends = (await Send(HttpMethod.Get, "/admin/backends")).Body;
        var routes = (await Send(HttpMethod.Get, "/admin/routes")).Body;
        var usage = (await Send(HttpMethod.Get, "/admin/usage")).Body;

        var backend = Assert.Single(backends.EnumerateArray());
        Assert.Equal("sim", backend.GetProperty("instance").GetString());
        Assert.True(backend.GetProperty("reachable").GetBoolean());
        Assert.Equal("m", routes[0].GetProperty("model").GetString());
        Assert.Equal("discovery", routes[0].GetProperty("source").GetString());
        var mine = usage.EnumerateArray().Single(u => u.GetProperty("key_id").GetString() == "testuser");
        Assert.True(mine.GetProperty("requests").GetInt64() >= 1);
        Assert.True(mine.GetProperty("completion_tokens").GetInt64() >= 1);
    }

    [Fact]
    public async Task DeleteOwnKey_IsRefused()
    {
        Assert.Equal(HttpStatusCode.Conflict, (await Send(HttpMethod.Delete, "/admin/keys/testadmin")).Status);
    }
}
