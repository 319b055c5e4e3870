using System.Diagnostics;
using LlmHost.Gateway.Configuration;

namespace LlmHost.Tests.Unit.Gateway.Configuration;

[Trait("Category", "Unit")]
public sealed class FileReloadServiceTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"llmhost-reload-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_path);

    private sealed class CountingFile(string path) : IReloadableFile
    {
        public string Path => path;
        public string? LastError => null;
        public DateTimeOffset LoadedAt { get; private set; }
        public int Reloads;

        public bool TryReload()
        {
            Interlocked.Increment(ref Reloads);
            LoadedAt = DateTimeOffset.UtcNow;
            return true;
        }
    }

    [Fact]
    public async Task ExecuteAsync_FileThatNeverStopsChanging_IsReloadedAfterTheMaxWait()
    {
        await File.WriteAllTextAsync(_path, "0");
        var file = new CountingFile(_path);
        using var service = new FileReloadService([file]);
        await service.StartAsync(CancellationToken.None);
        var writing = Stopwatch.StartNew();

        // A write every 300 ms never lets the file settle for a second.
        for (var i = 1; writing.Elapsed < FileReloadService.MaxWait + TimeSpan.FromSeconds(4) && Volatile.Read(ref file.Reloads) == 0; i++)
        {
            await File.WriteAllTextAsync(_path, new string('x', i));
            await Task.Delay(300);
        }
        var waited = writing.Elapsed;
        await service.StopAsync(CancellationToken.None);

        Assert.True(file.Reloads >= 1, "never reloaded while the file kept changing");
        // Late by the poll interval and a loaded machine's scheduling at most; never "never".
        Assert.InRange(waited, FileReloadService.MaxWait - TimeSpan.FromMilliseconds(300), FileReloadService.MaxWait + TimeSpan.FromSeconds(4));
    }
}
