using System.Diagnostics;

namespace LlmHost.Tests.Infrastructure;

/// <summary>Debian's prometheus scraping the given targets every second, in a folder of its own, for the dashboard tests.</summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private PrometheusServer(Process process, string directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri Address { get; }
    public HttpClient Client { get; }

    /// <summary>Starts Prometheus with one job per (name, host:port targets) and waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(params (string Job, string[] Targets)[] jobs)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"llmhost-prometheus-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var config = "global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n" + string.Concat(jobs.Select(j =>
            $"  - job_name: '{j.Job}'\n    static_configs:\n      - targets: [{string.Join(", ", j.Targets.Select(t => $"'{t}'"))}]\n"));
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), config);
        var port = FreePort.Next();
        var executable = File.Exists("/usr/bin/prometheus") ? "/usr/bin/prometheus" : "prometheus";
        var process = Process.Start(new ProcessStartInfo(executable,
            $"--config.file={directory}/prometheus.yml --storage.tsdb.path={directory}/data --web.listen-address=127.0.0.1:{port}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("prometheus did not start (scripts/install-deps.sh installs it)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await server.Client.GetAsync("/-/ready")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        await server.DisposeAsync();
        throw new TimeoutException("prometheus did not become ready");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
