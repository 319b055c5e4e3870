using System.Text;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Observability.AccessLogging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmHost.Tests.Unit.Gateway.Observability;

/// <summary>The access log's queue of pages: every line written once, whole and in order, across pages.</summary>
[Trait("Category", "Unit")]
public sealed class AccessLogWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("llmhost-access-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AccessLogWriter Writer() => new(Options.Create(new LlmHostConfig { Logging = new LoggingSettings { Dir = _dir } }),
        NullLogger<AccessLogWriter>.Instance);

    [Fact]
    public async Task Write_LinesSpanningManyPagesAndOneLongerThanAPage_EachWrittenOnceInOrder()
    {
        var writer = Writer();
        var expected = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var line = i == 1500
                ? $$"""{"n":{{i}},"body":"{{new string('é', 50_000)}}"}"""
                : $$"""{"n":{{i}},"pad":"{{new string('x', i % 90)}}"}""";
            expected.Add(line);
            writer.Write(Encoding.UTF8.GetBytes(line));
            if (i % 700 == 0)
            {
                await Task.Delay(30); // let the drain thread take partly filled pages too
            }
        }

        await writer.DisposeAsync();

        var file = Assert.Single(Directory.GetFiles(_dir, "access-*.json"));
        Assert.Equal(expected, await File.ReadAllLinesAsync(file));
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task Write_ManyLinesInOnePage_FilesRollNearTheirSizeEveryLineKeptInOrder()
    {
        var config = new LlmHostConfig { Logging = new LoggingSettings { Dir = _dir } };
        config.Logging.AccessLog.MaxFileSize = "2KB";
        config.Logging.AccessLog.Compress = false;
        config.Logging.AccessLog.RetainedFiles = 100;
        var writer = new AccessLogWriter(Options.Create(config), NullLogger<AccessLogWriter>.Instance);
        var expected = new List<string>();

        // 20 KB written at once: one page for the drain, which the sink must still be able to roll within.
        for (var i = 0; i < 200; i++)
        {
            var line = $$"""{"n":{{i}},"pad":"{{new string('x', 80)}}"}""";
            expected.Add(line);
            writer.Write(Encoding.UTF8.GetBytes(line));
        }
        await writer.DisposeAsync();

        var files = Directory.GetFiles(_dir, "access-*.json").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 8, $"{files.Count} files");
        // Each file stops at its first write past 2 KB: at most an eighth of that (256 B) over, here two lines.
        Assert.All(files, file => Assert.InRange(new FileInfo(file).Length, 1, 2048 + 256));
        // Named in the order written (….json, …_001.json, …): read in that order, every line once, in order.
        var written = new List<string>();
        foreach (var file in files)
        {
            written.AddRange(await File.ReadAllLinesAsync(file));
        }
        Assert.Equal(expected, written);
    }

    [Fact]
    public async Task Write_Disabled_WritesNothing()
    {
        var config = new LlmHostConfig { Logging = new LoggingSettings { Dir = _dir } };
        config.Logging.AccessLog.Enabled = false;
        var writer = new AccessLogWriter(Options.Create(config), NullLogger<AccessLogWriter>.Instance);

        writer.Write("{}"u8);
        await writer.DisposeAsync();

        Assert.False(writer.Enabled);
        Assert.Empty(Directory.GetFiles(_dir, "access-*"));
    }
}
