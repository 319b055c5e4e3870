using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using LlmHost.Gateway;
using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Infrastructure;

/// <summary>The gateway running in-process on a free loopback port, with a config.yaml written for the test.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _configPath;

    private GatewayHost(WebApplication app, string configPath, Uri address)
    {
        _app = app;
        _configPath = configPath;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new("Bearer", AdminSecret);
    }

    public Uri Address { get; }
    public HttpClient Client { get; }

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Secret of the admin key every test gateway starts with; the default client sends it.</summary>
    public const string AdminSecret = "sk-llmhost-testadmin-TestOnlySecretNotForProduction000000000";

    /// <summary>Secret of a user key every test gateway starts with (models: all).</summary>
    public const string UserSecret = "sk-llmhost-testuser-TestOnlySecretNotForProduction0000000000";

    public static string DefaultKeysJson => $$"""
        {"keys": [
          {"id": "testadmin", "name": "Test admin", "role": "admin", "key_sha256": "{{LlmHost.Gateway.Keys.Sha256Hash.Of(AdminSecret).ToHex()}}", "models": ["*"]},
          {"id": "testuser", "name": "Test user", "role": "user", "key_sha256": "{{LlmHost.Gateway.Keys.Sha256Hash.Of(UserSecret).ToHex()}}", "models": ["*"]}
        ]}
        """;

    public RecordingObserver Observer => Get<RecordingObserver>();

    /// <summary>Every log line of every test gateway of this run, to check that no secret is ever logged.</summary>
    public static CapturingLoggerProvider Logs { get; } = new();

    public string KeysPath { get; private set; } = "";

    /// <summary>A client for this gateway that sends <paramref name="secret"/> (or no key).</summary>
    public HttpClient ClientWith(string? secret)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (secret is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", secret);
        }
        return client;
    }

    public string ConfigPath => _configPath;

    /// <summary>Starts the gateway with <paramref name="configYaml"/> and waits for its first discovery round.</summary>
    public static Task<GatewayHost> StartAsync(string configYaml, params string[] extraArgs) => StartAsync(configYaml, DefaultKeysJson, extraArgs);

    /// <summary>Starts the gateway with a config and a key file (null: no key file, so the gateway bootstraps one).</summary>
    public static Task<GatewayHost> StartAsync(string configYaml, string? keysJson, params string[] extraArgs) =>
        StartAsync(configYaml, keysJson, configure: null, extraArgs);

    /// <summary>… and <paramref name="configure"/> run on the gateway's builder after its own services (e.g. a test exporter).</summary>
    public static async Task<GatewayHost> StartAsync(string configYaml, string? keysJson, Action<WebApplicationBuilder>? configure, params string[] extraArgs)
    {
        var configPath = Path.Combine(Path.GetTempPath(), $"llmhost-test-{Guid.NewGuid():N}.yaml");
        var keysPath = Path.Combine(Path.GetTempPath(), $"llmhost-test-{Guid.NewGuid():N}", "api_keys.json");
        Directory.CreateDirectory(Path.GetDirectoryName(keysPath)!);
        if (!configYaml.Contains("logging:"))
        {
            configYaml += $"\nlogging: {{ dir: '{Path.GetDirectoryName(keysPath)}/logs' }}\n";
        }
        if (!configYaml.Contains("limits:"))
        {
            // Tests about other things must not trip over the shipped default limits; limit tests set their own.
            configYaml += "\nlimits: { defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 0 }, global: { concurrency: 0 } }\n";
        }
        await File.WriteAllTextAsync(configPath, configYaml);
        if (keysJson is not null)
        {
            await File.WriteAllTextAsync(keysPath, keysJson);
        }
        var app = GatewayApp.Build(
            ["--urls", "http://127.0.0.1:0", "--config", configPath, "--keys", keysPath, "--Logging:LogLevel:Default=Warning", .. extraArgs],
            builder =>
            {
                builder.Logging.AddProvider(Logs);
                builder.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
                builder.Services.AddSingleton<RecordingObserver>();
                builder.Services.AddSingleton<LlmHost.Gateway.Metering.IRequestObserver>(sp => sp.GetRequiredService<RecordingObserver>());
                configure?.Invoke(builder);
            });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new GatewayHost(app, configPath, new Uri(address)) { KeysPath = keysPath };
        var routes = host.Get<RouteRegistry>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!routes.DiscoveredOnce && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        return host;
    }

    /// <summary>Runs a discovery round now instead of waiting for the interval.</summary>
    public Task DiscoverAsync() => Get<BackendProbeService>().DiscoverOnceAsync(CancellationToken.None);

    public BackendInstance Instance(string name) => Get<BackendPool>().All.Single(i => i.Name == name);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(_configPath);
        if (KeysPath.Length > 0)
        {
            Directory.Delete(Path.GetDirectoryName(KeysPath)!, recursive: true);
        }
    }
}
