namespace LlmHost.AppHost.Hosting;

/// <summary>Fills <c>${NAME}</c> placeholders of the config templates under nginx/ and monitoring/.</summary>
public static class TemplateRenderer
{
    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (name, value) in values)
        {
            template = template.Replace("${" + name + "}", value, StringComparison.Ordinal);
        }
        var leftover = template.IndexOf("${", StringComparison.Ordinal);
        if (leftover >= 0)
        {
            var end = template.IndexOf('}', leftover);
            throw new InvalidOperationException($"Template placeholder {template[leftover..(end < 0 ? template.Length : end + 1)]} has no value.");
        }
        return template;
    }

    /// <summary><c>host:port</c> of an allocated endpoint, with loopback spelled as an address.</summary>
    public static string HostPort(EndpointReference endpoint)
    {
        var host = endpoint.Host is "localhost" or "" ? "127.0.0.1" : endpoint.Host;
        return $"{host}:{endpoint.Port}";
    }
}
