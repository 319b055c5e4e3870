using LlmHost.Backends.Configuration;
using LlmHost.Gateway;

try
{
    GatewayApp.Build(args).Run();
    return 0;
}
catch (ConfigException ex)
{
    // An invalid config.yaml stops the gateway with every problem and its line, not a stack trace.
    Console.Error.WriteLine(ex.Message);
    return 1;
}
