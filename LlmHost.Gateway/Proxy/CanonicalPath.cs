namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The path a request is forwarded to: its route's own pattern (<c>/v1/chat/completions</c>), never the client's
/// spelling of it — routing matches <c>/V1/Chat/Completions/</c> too, and an engine must see one path. A pattern's
/// parameters (<c>/v1/responses/{id}</c>) take the request's route values, escaped.
/// </summary>
public static class CanonicalPath
{
    public static PathString Of(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern: { RawText: { } raw } pattern })
        {
            return context.Request.Path;
        }
        for (var i = 0; i < pattern.Parameters.Count; i++)
        {
            var parameter = pattern.Parameters[i];
            var value = context.Request.RouteValues[parameter.Name] as string ?? "";
            raw = raw.Replace("{" + parameter.Name + "}", Uri.EscapeDataString(value), StringComparison.Ordinal);
        }
        return new PathString(raw);
    }
}
