using System.Text.Json;

namespace LlmHost.Tests.Infrastructure;

/// <summary>Reads a text/event-stream body into its <c>data:</c> payloads, checking the framing on the way.</summary>
public static class Sse
{
    /// <summary>Every event's data; throws when an event is not exactly <c>data: …\n\n</c>.</summary>
    public static List<string> ParseEvents(string body)
    {
        var events = new List<string>();
        var blocks = body.Split("\n\n");
        Assert.Equal("", blocks[^1]);
        foreach (var block in blocks[..^1])
        {
            Assert.StartsWith("data: ", block);
            Assert.DoesNotContain('\n', block);
            events.Add(block["data: ".Length..]);
        }
        return events;
    }

    public static List<JsonElement> JsonChunks(List<string> events)
    {
        Assert.Equal("[DONE]", events[^1]);
        return events[..^1].Select(e => JsonDocument.Parse(e).RootElement.Clone()).ToList();
    }
}
