using System.Text.Json;

namespace LlmHost.Tests.Infrastructure;

/// <summary>One server-sent event of the Responses or Messages API: its name and its JSON.</summary>
public readonly record struct NamedEvent(string Name, JsonElement Data)
{
    public string Type => Data.GetProperty("type").GetString()!;
}

/// <summary>Reads a text/event-stream body of named events, checking the framing on the way.</summary>
public static class NamedEvents
{
    /// <summary>Every event; throws unless each is exactly <c>event: NAME\ndata: JSON\n\n</c> (so no <c>[DONE]</c>).</summary>
    public static List<NamedEvent> Parse(string body)
    {
        var blocks = body.Split("\n\n");
        Assert.Equal("", blocks[^1]);
        var events = new List<NamedEvent>();
        foreach (var block in blocks[..^1])
        {
            var lines = block.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0]);
            Assert.StartsWith("data: ", lines[1]);
            events.Add(new NamedEvent(lines[0]["event: ".Length..], JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement.Clone()));
        }
        return events;
    }

    public static async Task<(HttpResponseMessage Response, List<NamedEvent> Events)> PostAsync(HttpClient client, string path, string json)
    {
        var response = await client.PostAsync(path, Json.Body(json));
        return (response, Parse(await response.Content.ReadAsStringAsync()));
    }
}
