using System.IO.Compression;
using System.Text;
using Serilog.Sinks.File;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// Serilog's file sink rolls the access log (by day and by size) and applies retention to the files it writes; this
/// hook adds what it lacks: when it opens a new file, the closed ones are compressed to <c>.json.gz</c> in the
/// background, and the compressed files get the same retention (count and age), which the sink no longer sees.
/// </summary>
public sealed class CompressingHooks(string directory, string prefix, int retainedFiles, TimeSpan? retainedAge, ILogger logger) : FileLifecycleHooks
{
    private readonly Lock _lock = new();
    private Task _pending = Task.CompletedTask;

    public override Stream OnFileOpened(string path, Stream underlyingStream, Encoding encoding)
    {
        lock (_lock)
        {
            _pending = _pending.ContinueWith(_ => CompressAndPrune(Path.GetFullPath(path)), CancellationToken.None,
                TaskContinuationOptions.None, TaskScheduler.Default);
        }
        return underlyingStream;
    }

    /// <summary>Completes when the compression started by the last roll is done.</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            return _pending;
        }
    }

    private void CompressAndPrune(string current)
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, prefix + "*.json"))
            {
                if (!string.Equals(Path.GetFullPath(file), current, StringComparison.Ordinal))
                {
                    Compress(file);
                }
            }
            Prune();
        }
        catch (IOException ex)
        {
            AccessLogEvents.CompressionFailed(logger, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            AccessLogEvents.CompressionFailed(logger, ex);
        }
    }

    // Written to a temporary name first, so that a crash never leaves a truncated .gz beside a deleted original.
    private static void Compress(string file)
    {
        var target = file + ".gz";
        var temporary = target + ".tmp";
        using (var source = File.OpenRead(file))
        using (var output = File.Create(temporary))
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            source.CopyTo(gzip);
        }
        File.Move(temporary, target, overwrite: true);
        File.Delete(file);
    }

    // The file being written counts as one of the retained files.
    private void Prune()
    {
        var archives = new DirectoryInfo(directory).GetFiles(prefix + "*.json.gz");
        Array.Sort(archives, static (a, b) => b.LastWriteTimeUtc.CompareTo(a.LastWriteTimeUtc));
        var oldest = retainedAge is { } age ? DateTime.UtcNow - age : DateTime.MinValue;
        for (var i = 0; i < archives.Length; i++)
        {
            if (i >= retainedFiles - 1 || archives[i].LastWriteTimeUtc < oldest)
            {
                archives[i].Delete();
            }
        }
    }
}
