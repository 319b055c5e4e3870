namespace LlmHost.Gateway.Configuration;

/// <summary>Notices that a file changed by polling its size and modification time.</summary>
public sealed class FileChangePoller(string path)
{
    private (long Length, DateTime Modified) _seen = Stamp(path);

    public string Path { get; } = path;

    /// <summary>True once per change; a file being written (stamp still moving) is reported when it settles.</summary>
    public bool HasChanged()
    {
        var now = Stamp(Path);
        if (now == _seen)
        {
            return false;
        }
        _seen = now;
        return true;
    }

    private static (long, DateTime) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, DateTime.MinValue);
    }
}
