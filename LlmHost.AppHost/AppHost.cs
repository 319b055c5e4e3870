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

// Asked once, before any resource is added: a model that holds containers with no engine fails under the test host.
var containersUsable = options.Containers switch
{
    Switch.Off => false,
    _ => ContainerRuntimeProbe.IsAvailable(TimeSpan.FromSeconds(3)),
};

var stack = builder.AddLlmHostStack(config, configPath, repositoryRoot, options, containersUsable);
Console.WriteLine($"LlmHost: {configPath}");
foreach (var notice in stack.Notices)
{
    Console.WriteLine($"  {notice}");
}

builder.Build().Run();
return 0;
