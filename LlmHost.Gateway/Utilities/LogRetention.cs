namespace LlmHost.Gateway.Utilities;

/// <summary>
/// How many closed log files are kept: at most <paramref name="Files"/> (the one being written included), none older
/// than <paramref name="Age"/>, and together no more than <paramref name="TotalBytes"/> (the one being written
/// included); the oldest go first.
/// </summary>
public sealed record LogRetention(int Files, TimeSpan? Age, long? TotalBytes)
{
    /// <summary>Deletes the closed files beyond the retention; <paramref name="currentBytes"/> are the open file's.</summary>
    public void Apply(IEnumerable<FileInfo> closed, long currentBytes)
    {
        var files = closed.ToArray();
        Array.Sort(files, static (a, b) => b.LastWriteTimeUtc.CompareTo(a.LastWriteTimeUtc));
        var oldest = Age is { } age ? DateTime.UtcNow - age : DateTime.MinValue;
        var total = currentBytes;
        for (var i = 0; i < files.Length; i++)
        {
            total += files[i].Length;
            if (i >= Files - 1 || files[i].LastWriteTimeUtc < oldest || (TotalBytes is > 0 and var bound && total > bound))
            {
                files[i].Delete();
            }
        }
    }
}
