using System.Collections.Concurrent;
using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;
using LlmHost.Gateway.Utilities;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// Writes the access log through Serilog's file sink — rolling by day (UTC) and by size, retention by count, age and
/// total size. A request never waits for the disk: its line goes into an in-memory queue (up to 50,000 lines or
/// 64 MiB; beyond that lines are dropped and counted rather than slowing requests), which a dedicated thread hands
/// to the sink every 20 ms. A line the sink fails to write (disk full, out of memory) is counted as dropped and the
/// thread goes on: no failure of one line stops the log.
/// Draining on a timer instead of waking a writer thread per line (as Serilog's async wrapper does) keeps the cost
/// per request to an enqueue; a thread of its own, rather than a thread-pool timer, keeps draining when a saturated
/// thread pool would delay a timer callback for seconds and let the queue overflow. Every 20 ms rather than less often:
/// a line waiting longer outlives the young generation's collections and is promoted, and under load those lines
/// were what made the heap grow into gen-2 collections (and their pauses).
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private const int Capacity = 50_000;
    private const long CapacityBytes = 64L * 1024 * 1024;
    // The line is the event's template text, written verbatim by LineFormatter: a sink that rendered the message
    // instead ({Message}, RenderMessage) would write nothing, as the template has no tokens.
    private static readonly MessageTemplateToken[] NoTokens = [];
    private static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(20);
    private readonly Logger? _logger;
    private readonly CompressingHooks? _hooks;
    private readonly ConcurrentQueue<string> _queue = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread? _drainThread;
    private readonly LogFileSlot? _slot;
    private int _queued;
    private long _queuedBytes;
    private long _dropped;
    private long _unauthenticatedDropped;

    public AccessLogWriter(IOptions<LlmHostConfig> atStart, ILogger<AccessLogWriter> logger)
    {
        var settings = atStart.Value.Logging.AccessLog;
        Directory = Path.GetFullPath(atStart.Value.Logging.Dir);
        var service = Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? "gateway";
        if (!settings.Enabled)
        {
            Prefix = $"access-{service}.0-";
            return;
        }
        System.IO.Directory.CreateDirectory(Directory);
        // Processes sharing the folder (replicas, or two standalone gateways) each hold a slot of their own, and
        // write and prune only their own files; a restarted process takes the slot it left, and its old files.
        _slot = LogFileSlot.Acquire(Directory, $"access-{service}");
        Prefix = $"access-{service}.{_slot.Number}-";
        var maxFileSize = ByteSize.TryParse(settings.MaxFileSize)!.Value;
        TimeSpan? retainedAge = settings.RetainedDays > 0 ? TimeSpan.FromDays(settings.RetainedDays) : null;
        _hooks = new CompressingHooks(Directory, Prefix, new LogRetention(settings.RetainedFiles, retainedAge, ByteSize.TryParse(settings.MaxTotalSize)), settings.Compress, logger);
        _hooks.Start();
        _logger = new LoggerConfiguration()
            .WriteTo.File(new LineFormatter(), Path.Combine(Directory, Prefix + ".json"),
                fileSizeLimitBytes: maxFileSize,
                rollingInterval: RollingInterval.Day,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: settings.RetainedFiles,
                retainedFileTimeLimit: retainedAge,
                buffered: true,
                flushToDiskInterval: TimeSpan.FromSeconds(1),
                hooks: _hooks)
            .CreateLogger();
        _drainThread = new Thread(DrainLoop) { IsBackground = true, Name = "LlmHost access log" };
        _drainThread.Start();
        AccessLogLog.Started(logger, Directory, Prefix, maxFileSize, settings.RetainedFiles, settings.Compress);
    }

    public bool Enabled => _logger is not null;

    public string Directory { get; }

    /// <summary>File names start with this (then the date, an optional <c>_NNN</c> and <c>.json</c> or <c>.json.gz</c>).</summary>
    public string Prefix { get; }

    /// <summary>Lines dropped because the queue was full (the disk could not keep up) or could not be written.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Lines of unauthenticated requests left out beyond <see cref="LineRateLimiter"/>'s rate.</summary>
    public long UnauthenticatedDropped => Interlocked.Read(ref _unauthenticatedDropped);

    public void Write(string line)
    {
        if (_logger is null)
        {
            return;
        }
        if (Interlocked.Increment(ref _queued) > Capacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }
        if (Interlocked.Add(ref _queuedBytes, line.Length) > CapacityBytes)
        {
            Interlocked.Add(ref _queuedBytes, -line.Length);
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _queue.Enqueue(line);
    }

    /// <summary>Counts the line of an unauthenticated request the line rate left out.</summary>
    public void CountUnauthenticatedDropped() => Interlocked.Increment(ref _unauthenticatedDropped);

    private void DrainLoop()
    {
        // Until stopping; DisposeAsync drains what is left. Nothing that goes wrong in one pass ends the loop.
        while (!_stopping.Token.WaitHandle.WaitOne(DrainInterval))
        {
            try
            {
                Drain();
            }
            catch (Exception ex) when (ex is not ThreadInterruptedException)
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    /// <summary>Counts a line that could not even be formatted (the request's own failure, not the log's).</summary>
    public void CountDropped() => Interlocked.Increment(ref _dropped);

    private void Drain()
    {
        while (_queue.TryDequeue(out var line))
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Add(ref _queuedBytes, -line.Length);
            try
            {
                // The line is the event's text: no property, value or dictionary per line.
                _logger!.Write(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, new MessageTemplate(line, NoTokens), []));
            }
            catch (Exception ex) when (ex is not ThreadInterruptedException)
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    /// <summary>Writes every queued line to disk and waits for pending compression (at shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _drainThread?.Join();
        if (_logger is not null)
        {
            Drain();
            await _logger.DisposeAsync();
        }
        if (_hooks is not null)
        {
            await _hooks.WhenIdleAsync();
        }
        _slot?.Dispose();
    }

    /// <summary>The line is already JSON: written as is, one per line.</summary>
    private sealed class LineFormatter : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output)
        {
            output.Write(logEvent.MessageTemplate.Text);
            output.Write('\n');
        }
    }
}
