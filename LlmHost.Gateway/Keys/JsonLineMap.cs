using System.Text.Json;

namespace LlmHost.Gateway.Keys;

/// <summary>Maps JSON paths (<c>keys[3].role</c>) to their line, so that validation errors can point at the file.</summary>
internal static class JsonLineMap
{
    public static Dictionary<string, int> Build(ReadOnlySpan<byte> json)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new List<(string Name, int Index, bool IsArray)>();
        string? property = null;
        var line = 1;
        var counted = 0;
        try
        {
            while (reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                line += json[counted..start].Count((byte)'\n');
                counted = start;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString() ?? "";
                        lines.TryAdd(Path(path, property), line);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var name = NextName(path, ref property);
                        lines.TryAdd(Path(path, name), line);
                        path.Add((name, -1, reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    default:
                        lines.TryAdd(Path(path, NextName(path, ref property)), line);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The parse error itself is reported by the loader; the map covers what came before it.
        }
        return lines;
    }

    // The name of the next value: the pending property name, or the next index inside an array.
    private static string NextName(List<(string Name, int Index, bool IsArray)> path, ref string? property)
    {
        if (path.Count > 0 && path[^1].IsArray)
        {
            var top = path[^1];
            path[^1] = top with { Index = top.Index + 1 };
            return $"[{top.Index + 1}]";
        }
        var name = property ?? "";
        property = null;
        return name;
    }

    private static string Path(List<(string Name, int Index, bool IsArray)> path, string last)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var (name, _, _) in path.Skip(1))
        {
            Append(builder, name);
        }
        if (path.Count > 0)
        {
            Append(builder, last);
        }
        return builder.ToString();
    }

    private static void Append(System.Text.StringBuilder builder, string name)
    {
        if (name.StartsWith('['))
        {
            builder.Append(name);
        }
        else
        {
            if (builder.Length > 0)
            {
                builder.Append('.');
            }
            builder.Append(name);
        }
    }
}
