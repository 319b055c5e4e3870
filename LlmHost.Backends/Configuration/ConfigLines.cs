namespace LlmHost.Backends.Configuration;

/// <summary>Finds the line of a path such as <c>backends[1].engine</c> in a path → line map.</summary>
public static class ConfigLines
{
    /// <summary>A missing key has no line of its own: the closest enclosing node that has one is given instead.</summary>
    public static int? Find(IReadOnlyDictionary<string, int>? lines, string path)
    {
        while (lines is not null)
        {
            if (lines.TryGetValue(path, out var line))
            {
                return line;
            }
            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0)
            {
                return null;
            }
            path = path[..cut];
        }
        return null;
    }
}
