using System.Net;
using LlmHost.Gateway.Configuration;

namespace LlmHost.Tests.Integration.Gateway.RateLimiting;

/// <summary>Limits follow edits of config.yaml and of a key's limits without a restart.</summary>
[Trait("Category", "Integration")]
public class GatewayLimitReloadTests
{
    [Fact]
    public async Task ConfigDefaultsEdited_NextRequestsUseTheNewLimits()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(LimitsConfig.For(sim, "{ defaults: { qps: 0.001, burst: 1, concurrency: 0, tpm: 0 } }"));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);

        var provider = gateway.Get<ReloadableFile<LlmHost.Backends.Configuration.LlmHostConfig>>();
        var before = provider.Current;
        await File.WriteAllTextAsync(gateway.ConfigPath, LimitsConfig.For(sim, "{ defaults: { qps: 0.001, burst: 3, concurrency: 0, tpm: 0 } }"));

        Assert.True(await Eventually.TrueWithinAsync(() => Task.FromResult(!ReferenceEquals(provider.Current, before)), TimeSpan.FromSeconds(5)));
        // A new bucket of 3 for the key.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);
    }

    [Fact]
    public async Task KeyLimitsPatched_ApplyToTheKeyAlone()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");
        await using var gateway = await GatewayHost.StartAsync(LimitsConfig.For(sim, "{ defaults: { qps: 0.001, burst: 1, concurrency: 0, tpm: 0 } }"));
        using var user = gateway.ClientWith(GatewayHost.UserSecret);
        Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);

        using var patch = await gateway.Client.PatchAsync("/admin/keys/testuser", Json.Body("""{"limits":{"qps":0}}"""));
        patch.EnsureSuccessStatusCode();

        Assert.True(await Eventually.TrueWithinAsync(async () =>
            (await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(5)));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await user.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);
        }
        // Deleting a key forgets its limiter.
        Assert.NotNull(gateway.Get<LlmHost.Gateway.RateLimiting.MemoryLimitStore>().Find("testuser"));
        (await gateway.Client.DeleteAsync("/admin/keys/testuser")).EnsureSuccessStatusCode();
        Assert.Null(gateway.Get<LlmHost.Gateway.RateLimiting.MemoryLimitStore>().Find("testuser"));
        // The admin key still has the defaults: one request, then refused.
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await gateway.Client.PostAsync("/v1/chat/completions", LimitsConfig.Chat(1))).StatusCode);
    }
}
