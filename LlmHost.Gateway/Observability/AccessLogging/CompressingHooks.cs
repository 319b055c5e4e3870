using System.IO.Compression;
using LlmHost.Gateway.Utilities;
using System.Text;
using Serilog.Sinks.File;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// Serilog's file sink rolls the access log (by day and by size); this hook adds what it lacks: when it opens a new
/// file, the closed ones are compressed to <c>.json.gz</c> in the background (when <paramref name="compress"/>), and
/// the closed files get the retention — count, age and total size — applied to all of them, compressed or not.
/// The pass runs on a thread of its own, not the thread pool's: compressing 100 MB takes seconds, and a pool worker
/// held that long stalled the requests queued behind it until the pool added a thread (p99 over 200 ms on a gateway
/// given one core); and at the fastest level, which costs a fraction of the default's CPU for logs this repetitive.
/// </summary>
public sealed class CompressingHooks(string directory, string prefix, LogRetention retention, bool compress, ILogger logger) : FileLifecycleHooks
{
    private readonly Lock _lock = new();
    private Task _pending = Task.CompletedTask;
    private string _newest = "";

    public override Stream OnFileOpened(string path, Stream underlyingStream, Encoding encoding)
    {
        lock (_lock)
        {
            if (string.CompareOrdinal(Order(path), _newest) > 0)
            {
                _newest = Order(path);
            }
            _pending = _pending.ContinueWith(_ => CompressAndPrune(), CancellationToken.None, TaskContinuationOptions.LongRunning, TaskScheduler.Default);
        }
        return underlyingStream;
    }

    /// <summary>Applies the retention at start, before the sink opens its first file (it opens it at the first line).</summary>
    public void Start()
    {
        lock (_lock)
        {
            _pending = _pending.ContinueWith(_ => CompressAndPrune(), CancellationToken.None, TaskContinuationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>Completes when the compression started by the last roll is done.</summary>
    public Task WhenIdleAsync()
    {
        lock (_lock)
        {
            return _pending;
        }
    }

    // Only files older than the newest one the sink has opened: by the time a pass runs, the sink may have rolled
    // again, and a file it has just created may not have reached this hook yet.
    private void CompressAndPrune()
    {
        try
        {
            string newest;
            lock (_lock)
            {
                newest = _newest;
            }
            var current = 0L;
            var closed = new List<FileInfo>();
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles(prefix + "*.json"))
            {
                if (string.CompareOrdinal(Order(file.FullName), newest) >= 0)
                {
                    current += file.Length;
                }
                else if (compress)
                {
                    Compress(file.FullName);
                }
                else
                {
                    closed.Add(file);
                }
            }
            closed.AddRange(new DirectoryInfo(directory).EnumerateFiles(prefix + "*.json.gz"));
            retention.Apply(closed, current);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            AccessLogLog.CompressionFailed(logger, ex);
        }
    }

    /// <summary>
    /// A file's place in the sink's sequence, comparable as text: <c>prefix20261126.json</c> → <c>20261126_000000</c>,
    /// <c>prefix20261126_007.json</c> → <c>20261126_000007</c>.
    /// </summary>
    private string Order(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var stamp = name.Length > prefix.Length ? name[prefix.Length..] : name;
        var underscore = stamp.IndexOf('_');
        var date = underscore < 0 ? stamp : stamp[..underscore];
        var sequence = underscore < 0 ? "0" : stamp[(underscore + 1)..];
        return $"{date}_{sequence.PadLeft(6, '0')}";
    }

    // Written to a temporary name first, so that a crash never leaves a truncated .gz beside a deleted original.
    private static void Compress(string file)
    {
        var target = file + ".gz";
        var temporary = target + ".tmp";
        using (var source = File.OpenRead(file))
        using (var output = File.Create(temporary))
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            source.CopyTo(gzip);
        }
        File.Move(temporary, target, overwrite: true);
        File.Delete(file);
    }
}
