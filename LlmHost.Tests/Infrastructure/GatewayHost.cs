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
    }

    public Uri Address { get; }
    public HttpClient Client { get; }

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public RecordingObserver Observer => Get<RecordingObserver>();

    public string ConfigPath => _configPath;

    /// <summary>Starts the gateway with <paramref name="configYaml"/> and waits for its first discovery round.</summary>
    public static async Task<GatewayHost> StartAsync(string configYaml, params string[] extraArgs)
    {
        var configPath = Path.Combine(Path.GetTempPath(), $"llmhost-test-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configPath, configYaml);
        var app = GatewayApp.Build(
            ["--urls", "http://127.0.0.1:0", "--config", configPath, "--Logging:LogLevel:Default=Warning", .. extraArgs],
            builder =>
            {
                builder.Services.AddSingleton<RecordingObserver>();
                builder.Services.AddSingleton<LlmHost.Gateway.Metering.IRequestObserver>(sp => sp.GetRequiredService<RecordingObserver>());
            });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new GatewayHost(app, configPath, new Uri(address));
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
    }
}
