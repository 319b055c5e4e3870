using System.Net;
using System.Text.RegularExpressions;
using LlmHost.Backends.Configuration;

using LlmHost.Tests.Integration.Gateway.Apis;

namespace LlmHost.Tests.Integration.Gateway.Keys;

[Trait("Category", "Integration")]
public partial class BootstrapAndSecretsTests
{
    private const string Config = """
        routing: { discovery_interval: 1h, health_check_interval: 1h }
        backends:
          - { name: ghost, engine: vllm, mode: external, model: m, url: "http://127.0.0.1:9" }
        """;

    [Fact]
    public async Task FirstStart_WithoutKeyFile_CreatesOneWithAnAdminKeyPrintedOnce()
    {
        var console = new StringWriter();
        var original = Console.Out;
        Console.SetOut(console);
        GatewayHost gateway;
        try
        {
            gateway = await GatewayHost.StartAsync(Config, keysJson: null);
        }
        finally
        {
            Console.SetOut(original);
        }
        await using (gateway)
        {
            var secret = AdminSecret().Match(console.ToString()).Value;
            Assert.StartsWith("sk-llmhost-admin-", secret);
            AdminApiTests.CreatedSecrets.Add(secret);
            Assert.DoesNotContain(secret, await File.ReadAllTextAsync(gateway.KeysPath));
            using var admin = gateway.ClientWith(secret);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/keys")).StatusCode);
        }
    }

    [Fact]
    public async Task Start_InvalidKeyFile_StopsWithEveryProblem()
    {
        var ex = await Assert.ThrowsAsync<ConfigException>(() => GatewayHost.StartAsync(Config, """{"keys":[{"id":"x","role":"boss"}]}"""));

        Assert.Contains("keys[0].role: 'boss' is not one of admin, user", ex.Message);
        Assert.Contains("keys[0]: needs key_sha256", ex.Message);
    }

    [Fact]
    public async Task NoSecret_EverAppearsInTheLogs()
    {
        // Make sure the admin tests ran (they create the secrets) by running a lifecycle here too.
        var tests = new AdminApiTests();
        await tests.InitializeAsync();
        try
        {
            await tests.KeyLifecycle_CreateListUpdateDisableEnableDelete();
            await tests.Rotate_OldSecretWorksDuringOverlap_ThenOnlyTheNewOne();
        }
        finally
        {
            await tests.DisposeAsync();
        }

        var logs = string.Join('\n', GatewayHost.Logs.Lines);
        Assert.NotEmpty(AdminApiTests.CreatedSecrets);
        foreach (var secret in AdminApiTests.CreatedSecrets.Concat([GatewayHost.AdminSecret, GatewayHost.UserSecret]))
        {
            Assert.DoesNotContain(secret, logs);
            // Nor the random part alone.
            Assert.DoesNotContain(secret[(secret.LastIndexOf('-') + 1)..], logs);
        }
    }

    [GeneratedRegex("sk-llmhost-admin-[A-Za-z0-9_]+")]
    private static partial Regex AdminSecret();
}
