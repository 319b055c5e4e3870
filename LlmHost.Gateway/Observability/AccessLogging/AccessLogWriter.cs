using System.Collections.Concurrent;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// Writes the access log through Serilog's file sink — rolling by day (UTC) and by size, retention by count and age.
/// A request never waits for the disk: its line goes into an in-memory queue (up to 50,000 lines; beyond that lines
/// are dropped and counted rather than slowing requests), which a dedicated thread hands to the sink every 200 ms.
/// Draining on a timer instead of waking a writer thread per line (as Serilog's async wrapper does) keeps the cost
/// per request to an enqueue; a thread of its own, rather than a thread-pool timer, keeps draining when a saturated
/// thread pool would delay a timer callback for seconds and let the queue overflow.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private const int Capacity = 50_000;
    private static readonly MessageTemplate Template = new("{line}", []);
    private static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(200);
    private readonly Logger? _logger;
    private readonly CompressingHooks? _hooks;
    private readonly ConcurrentQueue<string> _queue = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread? _drainThread;
    private int _queued;
    private long _dropped;

    public AccessLogWriter(GatewayConfig config, ILogger<AccessLogWriter> logger)
    {
        var settings = config.Settings.Logging.AccessLog;
        Directory = Path.GetFullPath(config.Settings.Logging.Dir);
        // Replicas share the log folder; each writes its own files (Aspire names each replica's service).
        Prefix = $"access-{Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? "gateway"}-";
        if (!settings.Enabled)
        {
            return;
        }
        System.IO.Directory.CreateDirectory(Directory);
        var maxFileSize = ByteSize.TryParse(settings.MaxFileSize)!.Value;
        TimeSpan? retainedAge = settings.RetainedDays > 0 ? TimeSpan.FromDays(settings.RetainedDays) : null;
        _hooks = settings.Compress ? new CompressingHooks(Directory, Prefix, settings.RetainedFiles, retainedAge, logger) : null;
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
        GatewayLog.AccessLogStarted(logger, Directory, Prefix, maxFileSize, settings.RetainedFiles, settings.Compress);
    }

    public bool Enabled => _logger is not null;

    public string Directory { get; }

    /// <summary>File names start with this (then the date, an optional <c>_NNN</c> and <c>.json</c> or <c>.json.gz</c>).</summary>
    public string Prefix { get; }

    /// <summary>Lines dropped because the queue was full (the disk could not keep up).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

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
        _queue.Enqueue(line);
    }

    private void DrainLoop()
    {
        // Until stopping; DisposeAsync drains what is left.
        while (!_stopping.Token.WaitHandle.WaitOne(DrainInterval))
        {
            Drain();
        }
    }

    private void Drain()
    {
        while (_queue.TryDequeue(out var line))
        {
            Interlocked.Decrement(ref _queued);
            _logger!.Write(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, Template, [new LogEventProperty("line", new ScalarValue(line))]));
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
    }

    /// <summary>The line is already JSON: written as is, one per line.</summary>
    private sealed class LineFormatter : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output)
        {
            if (logEvent.Properties.TryGetValue("line", out var value) && value is ScalarValue { Value: string line })
            {
                output.Write(line);
                output.Write('\n');
            }
        }
    }
}
