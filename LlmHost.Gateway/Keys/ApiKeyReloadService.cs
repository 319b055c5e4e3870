using LlmHost.Gateway.Configuration;

namespace LlmHost.Gateway.Keys;

/// <summary>Reloads the key file when it changes (by hand or by another gateway replica's admin API).</summary>
public sealed class ApiKeyReloadService(ApiKeyStore store) : FileReloadService
{
    protected override string FilePath => store.Path;

    protected override void Reload() => store.TryReload();
}
