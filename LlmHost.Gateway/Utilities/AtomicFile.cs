namespace LlmHost.Gateway.Utilities;

/// <summary>
/// Replaces a file so that readers see the old content or the new, never a mix: write a temp file beside it, flush it
/// to disk, then rename it over the original (atomic on the same file system). The new file keeps the old one's
/// mode and owner; a file that did not exist is created readable by its owner only (it holds secrets' hashes).
/// </summary>
public static class AtomicFile
{
    /// <summary>Test hook: runs after the temp file is durable and before the rename (to simulate a crash there).</summary>
    internal static Action<string>? BeforeRename { get; set; }

    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var exists = File.Exists(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileAccess.PrivateMode;
        }
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
            if (content.Length > 0 && content[^1] != (byte)'\n')
            {
                // Text files end with a newline (as editors write them: no diff for it after an admin write).
                stream.WriteByte((byte)'\n');
            }
            stream.Flush(flushToDisk: true);
        }
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                // Set after creation: the creation mode is masked by the process's umask.
                File.SetUnixFileMode(temp, exists ? File.GetUnixFileMode(path) : UnixFileAccess.PrivateMode);
                if (exists)
                {
                    UnixFileAccess.CopyOwner(path, temp);
                }
            }
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
