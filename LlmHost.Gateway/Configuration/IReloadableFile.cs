namespace LlmHost.Gateway.Configuration;

/// <summary>A file the gateway read at start and re-reads when it changes (config.yaml, the key file).</summary>
public interface IReloadableFile
{
    string Path { get; }

    /// <summary>Why the file on disk is not the version in use; null when it is.</summary>
    string? LastError { get; }

    /// <summary>When the version in use was loaded (or set).</summary>
    DateTimeOffset LoadedAt { get; }

    /// <summary>Reads the file again; a version that does not load leaves the current one in use.</summary>
    bool TryReload();
}
