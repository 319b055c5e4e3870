using LlmHost.Backends.Configuration;
using Microsoft.Extensions.Options;
using LlmHost.Gateway.Utilities;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// Writes the access log through Serilog's file sink — rolling by day (UTC) and by size, retention by count, age and
/// total size. A request never waits for the disk: its line (UTF-8 JSON) is copied into a page of an in-memory queue
/// (up to 50,000 lines or 64 MiB of pages; beyond that lines are dropped and counted rather than slowing requests),
/// which a dedicated thread hands to the sink every 20 ms, a page at a time — in pieces of at most an eighth of
/// <c>max_file_size</c>, cut between lines, since the sink rolls a file only between writes. Nothing that goes wrong
/// with one page stops the log (Serilog's sink reports its own write failures to its self-log and goes on).
/// Draining on a timer instead of waking a writer thread per line (as Serilog's async wrapper does) keeps the cost
/// per request to a copy under a lock; a thread of its own, rather than a thread-pool timer, keeps draining when a
/// saturated thread pool would delay a timer callback for seconds and let the queue overflow. Pages are reused, and
/// the sink gets one event a piece whose text the formatter reads from the page: a line allocates nothing.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private const int Capacity = 50_000;
    private const long CapacityBytes = 64L * 1024 * 1024;
    private const int PageBytes = 64 * 1024;
    private const int KeptFreePages = 64;
    // The event's template is empty: LineFormatter writes the page being drained instead. A sink that rendered the
    // message ({Message}, RenderMessage) would write nothing.
    private static readonly MessageTemplate NoText = new([]);
    private static readonly TimeSpan DrainInterval = TimeSpan.FromMilliseconds(20);
    private readonly Logger? _logger;
    private readonly CompressingHooks? _hooks;
    private readonly Lock _pagesLock = new();
    private readonly Queue<Page> _full = new();
    private readonly Stack<byte[]> _free = new();
    private readonly List<Page> _draining = [];
    private readonly LineFormatter _formatter = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread? _drainThread;
    private readonly LogFileSlot? _slot;
    // The most the sink is handed at once: it rolls only between writes, so a file passes max_file_size by about this
    // at most (plus what its writer buffers before counting, up to 1 KB; or one line longer than it).
    private readonly int _pieceBytes = PageBytes;
    private byte[]? _current;
    private int _currentBytes;
    private int _currentLines;
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
        _pieceBytes = (int)Math.Clamp(maxFileSize / 8, 1, PageBytes);
        TimeSpan? retainedAge = settings.RetainedDays > 0 ? TimeSpan.FromDays(settings.RetainedDays) : null;
        _hooks = new CompressingHooks(Directory, Prefix, new LogRetention(settings.RetainedFiles, retainedAge, ByteSize.TryParse(settings.MaxTotalSize)), settings.Compress, logger);
        _hooks.Start();
        _logger = new LoggerConfiguration()
            .WriteTo.File(_formatter, Path.Combine(Directory, Prefix + ".json"),
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

    /// <summary>Queues a line (UTF-8 JSON, without its newline), or counts it dropped when the queue is full.</summary>
    public void Write(ReadOnlySpan<byte> line)
    {
        if (_logger is null)
        {
            return;
        }
        var size = line.Length + 1;
        lock (_pagesLock)
        {
            // The bound is on the pages' memory: a line that needs a new page counts the whole page.
            var newPage = size > PageBytes ? size : _current is null || _currentBytes + size > PageBytes ? PageBytes : 0;
            if (_queued >= Capacity || _queuedBytes + newPage > CapacityBytes)
            {
                Interlocked.Increment(ref _dropped);
                return;
            }
            if (size > PageBytes)
            {
                // A line with bodies (log_bodies) longer than a page: a page of its own, not kept for reuse, after the
                // lines before it.
                if (_currentLines > 0)
                {
                    _full.Enqueue(new Page(_current!, _currentBytes, _currentLines));
                    (_current, _currentBytes, _currentLines) = (null, 0, 0);
                }
                var own = new byte[size];
                Append(own, 0, line);
                _full.Enqueue(new Page(own, size, 1));
            }
            else
            {
                if (_current is null || _currentBytes + size > PageBytes)
                {
                    if (_current is not null)
                    {
                        _full.Enqueue(new Page(_current, _currentBytes, _currentLines));
                    }
                    _current = _free.TryPop(out var page) ? page : new byte[PageBytes];
                    (_currentBytes, _currentLines) = (0, 0);
                }
                Append(_current, _currentBytes, line);
                _currentBytes += size;
                _currentLines++;
            }
            _queued++;
            _queuedBytes += newPage;
        }
    }

    private static void Append(byte[] page, int at, ReadOnlySpan<byte> line)
    {
        line.CopyTo(page.AsSpan(at));
        page[at + line.Length] = (byte)'\n';
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
        lock (_pagesLock)
        {
            while (_full.TryDequeue(out var page))
            {
                _draining.Add(page);
            }
            if (_currentLines > 0)
            {
                _draining.Add(new Page(_current!, _currentBytes, _currentLines));
                (_current, _currentBytes, _currentLines) = (null, 0, 0);
            }
        }
        foreach (var page in _draining)
        {
            try
            {
                for (var start = 0; start < page.Bytes;)
                {
                    var end = PieceEnd(page, start);
                    _formatter.Text = page.Buffer.AsMemory(start, end - start);
                    _logger!.Write(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, NoText, []));
                    start = end;
                }
            }
            catch (Exception ex) when (ex is not ThreadInterruptedException)
            {
                Interlocked.Add(ref _dropped, page.Lines);
            }
            lock (_pagesLock)
            {
                _queued -= page.Lines;
                _queuedBytes -= page.Buffer.Length;
                if (page.Buffer.Length == PageBytes && _free.Count < KeptFreePages)
                {
                    _free.Push(page.Buffer);
                }
            }
        }
        _draining.Clear();
        _formatter.Text = default;
    }

    // Where the piece of the page that starts at `start` ends: after its last whole line within _pieceBytes, or after
    // its first line when that one is longer.
    private int PieceEnd(Page page, int start)
    {
        if (page.Bytes - start <= _pieceBytes)
        {
            return page.Bytes;
        }
        var lastLineEnd = page.Buffer.AsSpan(start, _pieceBytes).LastIndexOf((byte)'\n');
        if (lastLineEnd >= 0)
        {
            return start + lastLineEnd + 1;
        }
        var firstLineEnd = page.Buffer.AsSpan(start, page.Bytes - start).IndexOf((byte)'\n');
        return firstLineEnd < 0 ? page.Bytes : start + firstLineEnd + 1;
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

    /// <summary>Lines of JSON, each ending with its newline, in <see cref="Buffer"/>'s first <see cref="Bytes"/> bytes.</summary>
    private readonly record struct Page(byte[] Buffer, int Bytes, int Lines);

    /// <summary>Writes the lines being drained as they are (they are JSON already); the event itself carries no text.</summary>
    private sealed class LineFormatter : ITextFormatter
    {
        private char[] _chars = new char[PageBytes];

        public ReadOnlyMemory<byte> Text { get; set; }

        public void Format(LogEvent logEvent, TextWriter output)
        {
            var bytes = Text.Span;
            if (_chars.Length < bytes.Length)
            {
                _chars = new char[bytes.Length];
            }
            var count = System.Text.Encoding.UTF8.GetChars(bytes, _chars);
            output.Write(_chars, 0, count);
        }
    }
}
