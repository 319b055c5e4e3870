using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// Writes the access log through Serilog's file sink — rolling by day (UTC) and by size, retention by count and age —
/// behind Serilog's async wrapper, so that a request never waits for the disk: lines queue in memory (up to 10,000;
/// beyond that they are dropped rather than slowing requests) and a background thread writes them.
/// </summary>
public sealed class AccessLogWriter : IAsyncDisposable
{
    private static readonly MessageTemplate Template = new("{line}", []);
    private readonly Logger? _logger;
    private readonly CompressingHooks? _hooks;

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
            .WriteTo.Async(sink => sink.File(new LineFormatter(), Path.Combine(Directory, Prefix + ".json"),
                fileSizeLimitBytes: maxFileSize,
                rollingInterval: RollingInterval.Day,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: settings.RetainedFiles,
                retainedFileTimeLimit: retainedAge,
                buffered: true,
                flushToDiskInterval: TimeSpan.FromSeconds(1),
                hooks: _hooks), bufferSize: 10_000, blockWhenFull: false)
            .CreateLogger();
        AccessLogEvents.Started(logger, Directory, Prefix, maxFileSize, settings.RetainedFiles, settings.Compress);
    }

    public bool Enabled => _logger is not null;

    public string Directory { get; }

    /// <summary>File names start with this (then the date, an optional <c>_NNN</c> and <c>.json</c> or <c>.json.gz</c>).</summary>
    public string Prefix { get; }

    public void Write(string line) =>
        _logger?.Write(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, Template, [new LogEventProperty("line", new ScalarValue(line))]));

    /// <summary>Flushes every queued line to disk and waits for pending compression (at shutdown).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_logger is not null)
        {
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
