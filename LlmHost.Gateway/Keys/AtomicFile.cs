namespace LlmHost.Gateway.Keys;

/// <summary>
/// Replaces a file so that readers see the old content or the new, never a mix: write a temp file beside it, flush it
/// to disk, then rename it over the original (atomic on the same file system).
/// </summary>
public static class AtomicFile
{
    /// <summary>Test hook: runs after the temp file is durable and before the rename (to simulate a crash there).</summary>
    internal static Action<string>? BeforeRename { get; set; }

    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        try
        {
            BeforeRename?.Invoke(temp);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
