using LlmHost.AppHost;
using LlmHost.AppHost.Hosting.Runtime;
using LlmHost.AppHost.Stack;
using LlmHost.Backends.Configuration;

var builder = DistributedApplication.CreateBuilder(args);
var options = AppHostOptions.From(builder.Configuration);
var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
var configPath = Path.GetFullPath(options.Config ?? Path.Combine(repositoryRoot, "config", "config.yaml"), repositoryRoot);

LlmHostConfig config;
try
{
    config = ConfigLoader.LoadFile(configPath);
}
catch (ConfigException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

HostPaths.Resolve(config, Path.GetDirectoryName(configPath)!);

if (options.StopContainers)
{
    // The engine containers are persistent: they keep the model loaded after a Ctrl+C. This removes them.
    foreach (var message in await EngineContainers.RemoveAllAsync(config, CancellationToken.None))
    {
        Console.WriteLine(message);
    }
    return 0;
}

// Asked once, before any resource is added: a model that holds containers with no engine fails under the test host.
var runtime = options.Containers == Switch.Off ? ContainerRuntimeStatus.None : ContainerRuntimeProbe.Probe(TimeSpan.FromSeconds(3));

// The GPUs of the backends that will run as containers, checked before anything starts.
var placement = ConfigValidator.ValidateGpuPlacement(config,
    backend => BackendModeResolver.Resolve(backend, runtime, options.Containers).Mode is LlmHost.Backends.Engines.DeploymentMode.Container
        or LlmHost.Backends.Engines.DeploymentMode.Process);
foreach (var backend in config.Backends)
{
    if (backend.ModeKind == LlmHost.Backends.Engines.DeploymentMode.Process && !File.Exists(backend.Process.Python))
    {
        var path = $"backends[{config.Backends.IndexOf(backend)}].process.python";
        placement.Add(new ConfigError(path, ConfigLines.Find(config.SourceLines, path),
            $"'{backend.Process.Python}' does not exist: the Python of the environment vLLM or SGLang is installed in"));
    }
}
if (placement.Count > 0)
{
    Console.Error.WriteLine(new ConfigException(configPath, placement).Message);
    return 1;
}

var stack = builder.AddLlmHostStack(config, configPath, repositoryRoot, options, runtime);
Console.WriteLine($"LlmHost: {configPath}");
foreach (var notice in stack.Notices)
{
    Console.WriteLine($"  {notice}");
}

builder.Build().Run();
return 0;
