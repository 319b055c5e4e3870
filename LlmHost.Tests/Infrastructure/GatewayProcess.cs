namespace LlmHost.Tests.Infrastructure;

/// <summary>
/// The gateway as operators run it standalone: <c>dotnet LlmHost.Gateway.dll --urls … --config … --keys …</c> in a
/// process of its own, with the test key file of <see cref="GatewayHost"/>.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private GatewayProcess(DotnetProcess process, Uri address, string directory)
    {
        Process = process;
        Address = address;
        Directory = directory;
    }

    public DotnetProcess Process { get; }
    public Uri Address { get; }

    /// <summary>The folder holding its config.yaml, api_keys.json and logs/.</summary>
    public string Directory { get; }

    public string KeysPath => Path.Combine(Directory, "api_keys.json");
    public string LogsPath => Path.Combine(Directory, "logs");

    /// <summary>Writes config.yaml (and api_keys.json unless present) into <paramref name="directory"/>, then starts.</summary>
    public static async Task<GatewayProcess> StartAsync(string configYaml, string? directory = null, string? workingDirectory = null,
        IDictionary<string, string>? environment = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("llmhost-gw-").FullName;
        if (!configYaml.Contains("logging:"))
        {
            configYaml += $"\nlogging: {{ dir: '{directory}/logs' }}\n";
        }
        if (!configYaml.Contains("limits:"))
        {
            configYaml += "\nlimits: { defaults: { qps: 0, burst: 0, concurrency: 0, tpm: 0 }, global: { concurrency: 0 } }\n";
        }
        var configPath = Path.Combine(directory, "config.yaml");
        await File.WriteAllTextAsync(configPath, configYaml);
        var keysPath = Path.Combine(directory, "api_keys.json");
        if (!File.Exists(keysPath))
        {
            await File.WriteAllTextAsync(keysPath, GatewayHost.DefaultKeysJson);
        }
        for (var attempt = 1; ; attempt++)
        {
            var address = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            var process = DotnetProcess.Start("LlmHost.Gateway",
                ["--urls", address.ToString().TrimEnd('/'), "--config", configPath, "--keys", keysPath], workingDirectory, environment);
            try
            {
                await process.WaitUntilReadyAsync(new Uri(address, "/health").ToString());
                if (await ListensAsync(process, address))
                {
                    return new GatewayProcess(process, address, directory);
                }
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // It exited before it answered: most likely the port was taken meanwhile.
            }
            await process.DisposeAsync();
            if (attempt >= 3)
            {
                throw new InvalidOperationException($"the gateway did not start on a free port: {string.Join('\n', process.Output.TakeLast(30))}");
            }
        }
    }

    // Whether the process that answered is this one: the port is free when picked, and another test's server may take
    // it before the gateway binds it (the gateway then exits, and the other server answered the readiness check).
    private static async Task<bool> ListensAsync(DotnetProcess process, Uri address)
    {
        var listening = $"Now listening on: {address.ToString().TrimEnd('/')}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.Output.Any(line => line.Contains(listening, StringComparison.Ordinal)))
            {
                return true;
            }
            if (process.HasExited)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return !process.HasExited; // no such line (logging set otherwise): the process is up
    }

    public HttpClient ClientWith(string? secret, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        if (secret is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", secret);
        }
        return client;
    }

    public async ValueTask DisposeAsync() => await Process.DisposeAsync();
}
