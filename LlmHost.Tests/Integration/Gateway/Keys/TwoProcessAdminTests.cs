using System.Net;
using System.Text.Json;

namespace LlmHost.Tests.Integration.Gateway.Keys;

/// <summary>
/// Two gateway processes on one key file and one log folder, as replicas behind the edge run: concurrent admin writes
/// through both lose nothing, a key disabled through one stops working on both, and each writes its own access log.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TwoProcessAdminTests : IAsyncLifetime
{
    private SimulatorHost _sim = null!;
    private GatewayProcess _a = null!;
    private GatewayProcess _b = null!;

    public async Task InitializeAsync()
    {
        _sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        var config = $$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: m, url: "{{_sim.Address}}" }
            """;
        _a = await GatewayProcess.StartAsync(config);
        _b = await GatewayProcess.StartAsync(config, directory: _a.Directory);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _sim.DisposeAsync();
        Directory.Delete(_a.Directory, recursive: true);
    }

    [Fact]
    public async Task ConcurrentCreatesThroughBoth_AllLand()
    {
        using var a = _a.ClientWith(GatewayHost.AdminSecret);
        using var b = _b.ClientWith(GatewayHost.AdminSecret);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
            (await (i % 2 == 0 ? a : b).PostAsync("/admin/keys", Json.Body($$"""{"id":"k{{i}}"}"""))).StatusCode));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Created, s));
        var ids = JsonDocument.Parse(await File.ReadAllTextAsync(_a.KeysPath)).RootElement.GetProperty("keys").EnumerateArray()
            .Select(k => k.GetProperty("id").GetString()).ToHashSet();
        Assert.All(Enumerable.Range(0, 50), i => Assert.Contains($"k{i}", ids));
    }

    [Fact]
    public async Task DisableThroughOne_WhileTheOtherWrites_StopsTheKeyOnBoth()
    {
        using var a = _a.ClientWith(GatewayHost.AdminSecret);
        using var b = _b.ClientWith(GatewayHost.AdminSecret);
        for (var round = 0; round < 8; round++)
        {
            var (_, created) = await Json.PostAsync(a, "/admin/keys", $$"""{"id":"victim{{round}}"}""");
            var secret = created.GetProperty("secret").GetString();

            var writes = await Task.WhenAll(
                a.PostAsync($"/admin/keys/victim{round}/disable", null),
                b.PostAsync("/admin/keys", Json.Body($$"""{"id":"bystander{{round}}"}""")),
                b.PatchAsync("/admin/keys/testuser", Json.Body($$"""{"name":"touched {{round}}"}""")));
            Assert.All(writes, w => Assert.True(w.IsSuccessStatusCode, w.StatusCode.ToString()));

            using var victimOnA = _a.ClientWith(secret);
            using var victimOnB = _b.ClientWith(secret);
            Assert.Equal(HttpStatusCode.Unauthorized, (await victimOnA.GetAsync("/v1/models")).StatusCode);
            Assert.True(await Eventually.TrueWithinAsync(async () => (await victimOnB.GetAsync("/v1/models")).StatusCode == HttpStatusCode.Unauthorized,
                TimeSpan.FromSeconds(4)), $"round {round}: the disabled key still works on the other gateway");
            var entry = JsonDocument.Parse(await File.ReadAllTextAsync(_a.KeysPath)).RootElement.GetProperty("keys").EnumerateArray()
                .Single(k => k.GetProperty("id").GetString() == $"victim{round}");
            Assert.True(entry.GetProperty("disabled").GetBoolean());
        }
    }

    [Fact]
    public async Task SharedLogFolder_EachProcessWritesItsOwnFiles()
    {
        using var a = _a.ClientWith(GatewayHost.UserSecret);
        using var b = _b.ClientWith(GatewayHost.UserSecret);
        for (var i = 0; i < 20; i++)
        {
            (await a.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"m","messages":[{"role":"user","content":"from-a-{{i}}"}],"max_tokens":1}"""))).EnsureSuccessStatusCode();
            (await b.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"m","messages":[{"role":"user","content":"from-b-{{i}}"}],"max_tokens":1}"""))).EnsureSuccessStatusCode();
        }

        List<string> files = [];
        Assert.True(await Eventually.TrueWithinAsync(() =>
        {
            files = [.. Directory.GetFiles(_a.LogsPath, "access-*.json")];
            return files.Count == 2 && files.Sum(f => ReadShared(f).Count(l => l.Contains("/v1/chat/completions"))) == 40;
        }, TimeSpan.FromSeconds(5)), string.Join(", ", files.Select(Path.GetFileName)));
        Assert.All(files, f => Assert.All(ReadShared(f), line => JsonDocument.Parse(line).Dispose()));
    }

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
