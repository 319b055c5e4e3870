namespace LlmHost.Gateway.Configuration;

/// <summary>Reloads config.yaml when it changes.</summary>
public sealed class ConfigReloadService(GatewayConfigProvider provider) : FileReloadService
{
    protected override string FilePath => provider.Current.Path;

    protected override void Reload() => provider.TryReload();
}
