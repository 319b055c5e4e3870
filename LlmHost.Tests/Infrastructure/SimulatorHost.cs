using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using LlmHost.Simulator;

namespace LlmHost.Tests.Infrastructure;

/// <summary>A simulator running in-process on a free loopback port, with a client pointed at it.</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorHost(WebApplication app, SimulatorOptions options, Uri address)
    {
        _app = app;
        Options = options;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public SimulatorOptions Options { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a simulator with command-line style <paramref name="args"/> (port 0 is added unless given).</summary>
    public static async Task<SimulatorHost> StartAsync(params string[] args)
    {
        var all = args.Contains("--port") ? args : [.. args, "--port", "0"];
        var (options, errors) = SimulatorOptions.Parse(all, _ => null);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
        var app = SimulatorApp.Build(options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorHost(app, options, new Uri(address));
    }

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Requests this simulator finished, whatever their finish reason.</summary>
    public long RequestsServed
    {
        get
        {
            var metrics = Get<LlmHost.Simulator.Metrics.EngineMetrics>();
            return metrics.FinishedCount("stop") + metrics.FinishedCount("length") + metrics.FinishedCount("abort") + metrics.FinishedCount("error");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
