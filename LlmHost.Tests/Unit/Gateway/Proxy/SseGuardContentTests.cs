using System.Text;
using LlmHost.Gateway.Proxy;

namespace LlmHost.Tests.Unit.Gateway.Proxy;

public class SseGuardContentTests
{
    private const string Chunk = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n";

    /// <summary>An engine's body: its chunks there at once, then (optionally) silence until the read is cancelled.</summary>
    private sealed class EngineBody(int chunks, bool stallAfter) : Stream
    {
        private int _left = chunks;

        public int StalledReads { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left > 0)
            {
                _left--;
                return Encoding.UTF8.GetBytes(Chunk, buffer.Span);
            }
            if (!stallAfter)
            {
                return 0;
            }
            StalledReads++;
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static async Task<string> ReadAllAsync(EngineBody body, TimeSpan idle)
    {
        using var content = new SseGuardContent(new StreamContent(body), "engine-1", idle, CancellationToken.None);
        await using var stream = await content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ReadAsync_ChunksThereAtOnceThenSilence_EndsWithAnErrorEventAfterTheIdleTimeout()
    {
        // The reads that complete at once start no timer: the first read that waits must.
        var body = new EngineBody(chunks: 3, stallAfter: true);

        var text = await ReadAllAsync(body, TimeSpan.FromMilliseconds(200));

        Assert.StartsWith(string.Concat(Enumerable.Repeat(Chunk, 3)), text);
        Assert.Contains("\"code\":\"backend_error\"", text);
        Assert.EndsWith("data: [DONE]\n\n", text);
        Assert.Equal(1, body.StalledReads);
    }

    [Fact]
    public async Task ReadAsync_ChunksThereAtOnceThenEnd_PassesThemUnchanged()
    {
        var text = await ReadAllAsync(new EngineBody(chunks: 4, stallAfter: false), TimeSpan.FromMilliseconds(200));

        Assert.Equal(string.Concat(Enumerable.Repeat(Chunk, 4)), text);
    }
}
