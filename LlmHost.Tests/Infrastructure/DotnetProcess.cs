using System.Collections.Concurrent;
using System.Diagnostics;

namespace LlmHost.Tests.Infrastructure;

/// <summary>
/// One of the solution's programs (the gateway or the simulator) run as a real child process from its own build
/// output, as operators run it: for tests about what a process does alone — its memory, its files, another process
/// beside it, a kill.
/// </summary>
public sealed class DotnetProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    private DotnetProcess(ProcessStartInfo start) => _start = start;

    /// <summary>Standard output and error lines so far.</summary>
    public IReadOnlyCollection<string> Output => _output;

    public int Id => _process?.Id ?? 0;

    public bool HasExited => _process?.HasExited ?? true;

    /// <summary>The build output folder of one of the solution's projects (same configuration as the tests).</summary>
    public static string OutputOf(string project)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        return Path.Combine(RepositoryRoot.Path, project, "bin", configuration, "net10.0");
    }

    /// <summary>Starts <c>dotnet PROJECT.dll ARGS</c> in <paramref name="workingDirectory"/> (default: a fresh temp folder).</summary>
    public static DotnetProcess Start(string project, IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("llmhost-proc-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(OutputOf(project), project + ".dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // No OTLP endpoint or dashboard of the test run's own environment.
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = new DotnetProcess(start);
        process.Launch();
        return process;
    }

    /// <summary>Starts the same program again, with the same arguments (after <see cref="Kill"/>).</summary>
    public void Restart()
    {
        Kill();
        Launch();
    }

    private void Launch()
    {
        _process = Process.Start(_start) ?? throw new InvalidOperationException($"could not start {string.Join(' ', _start.ArgumentList)}");
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Add(string? line)
    {
        if (line is not null && _output.Count < 100_000)
        {
            _output.Enqueue(line);
        }
    }

    /// <summary>Waits until <paramref name="url"/> answers 200 (or the process exits, or the time is up).</summary>
    public async Task WaitUntilReadyAsync(string url, TimeSpan? timeout = null)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"the process exited: {string.Join('\n', _output.TakeLast(30))}");
            }
            try
            {
                if ((await client.GetAsync(url)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{url} did not answer: {string.Join('\n', _output.TakeLast(30))}");
    }

    /// <summary>Resident memory of the process now, from /proc (bytes).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        return 0;
    }

    /// <summary>Waits for the process to exit and for its output to be read to the end (exiting comes first).</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) =>
        _process?.WaitForExitAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Kills the process at once (SIGKILL), as a crash or an OOM killer would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } running)
        {
            running.Kill(entireProcessTree: true);
            running.WaitForExit(10_000);
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
