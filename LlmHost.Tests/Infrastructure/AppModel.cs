using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace LlmHost.Tests.Infrastructure;

/// <summary>What the Aspire app model holds for a resource, evaluated as at run time: its args and environment.</summary>
public static class AppModel
{
    public static async Task<List<string>> ArgsOf(IResource resource)
    {
        var args = new List<object>();
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(new CommandLineArgsCallbackContext(args, CancellationToken.None));
        }
        return args.Select(a => a.ToString()!).ToList();
    }

    public static async Task<List<string>> RuntimeArgsOf(IResource resource)
    {
        var args = new List<object>();
        foreach (var annotation in resource.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
        {
            await annotation.Callback(new ContainerRuntimeArgsCallbackContext(args, CancellationToken.None));
        }
        return args.Select(a => a.ToString()!).ToList();
    }

    public static async Task<Dictionary<string, object>> EnvironmentOf(IResource resource)
    {
        var environment = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, environment);
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }
        return environment;
    }
}
