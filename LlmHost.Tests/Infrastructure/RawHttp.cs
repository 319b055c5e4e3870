using System.Net.Sockets;
using System.Text;

namespace LlmHost.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 by hand over a socket, for requests no HttpClient would send: broken request lines, huge or duplicated
/// headers, bodies shorter or slower than announced.
/// </summary>
public static class RawHttp
{
    /// <summary>What came back: the status (0 when the connection closed without one), the headers and the body.</summary>
    public sealed record Answer(int Status, string Head, string Body)
    {
        public bool Closed => Status == 0;
    }

    public static async Task<Answer> SendAsync(Uri server, byte[] request, TimeSpan timeout, Func<NetworkStream, Task>? afterSending = null)
    {
        using var client = new TcpClient();
        using var cancel = new CancellationTokenSource(timeout);
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cancel.Token);
            if (afterSending is not null)
            {
                await afterSending(stream);
            }
        }
        catch (IOException)
        {
            // The server may answer (and close) before it has read everything: read what it said.
        }
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var read = await stream.ReadAsync(buffer, cancel.Token);
                if (read == 0 || (received.Length + read > 0 && Complete(received, buffer.AsSpan(0, read))))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
        }
        return Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    // Appends the bytes; true once a whole answer (headers and the Content-Length body, or a last chunk) is in.
    private static bool Complete(MemoryStream received, ReadOnlySpan<byte> bytes)
    {
        received.Write(bytes);
        var text = Encoding.UTF8.GetString(received.GetBuffer(), 0, (int)received.Length);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }
        var head = text[..end];
        var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null)
        {
            return text.Length - end - 4 >= int.Parse(length[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return !head.Contains("chunked", StringComparison.OrdinalIgnoreCase) || text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }

    private static Answer Parse(string text)
    {
        if (!text.StartsWith("HTTP/1.", StringComparison.Ordinal) || text.Length < 12)
        {
            return new Answer(0, "", text);
        }
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var body = end < 0 ? "" : text[(end + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }
        return new Answer(int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), head, body);
    }

    private static string Unchunk(string body)
    {
        var result = new StringBuilder();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(body.AsSpan(position, lineEnd - position), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }
            result.Append(body, lineEnd + 2, Math.Min(size, body.Length - lineEnd - 2));
            position = lineEnd + 2 + size + 2;
        }
        return result.ToString();
    }

    /// <summary>A request with the given method, path, headers and body (Content-Length from the body unless given).</summary>
    public static byte[] Request(string method, string path, string? secret, byte[]? body = null, string extraHeaders = "", long? contentLength = null)
    {
        var head = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if (secret is not null)
        {
            head.Append($"Authorization: Bearer {secret}\r\n");
        }
        if (body is not null || contentLength is not null)
        {
            head.Append("Content-Type: application/json\r\n");
            head.Append($"Content-Length: {contentLength ?? body!.Length}\r\n");
        }
        head.Append(extraHeaders);
        head.Append("\r\n");
        return [.. Encoding.UTF8.GetBytes(head.ToString()), .. body ?? []];
    }
}
