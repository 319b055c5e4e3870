namespace LlmHost.Gateway.Proxy;

/// <summary>
/// The path a request is forwarded to: its route's own pattern (<c>/v1/chat/completions</c>), never the client's
/// spelling of it — routing matches <c>/V1/Chat/Completions/</c> too, and an engine must see one path.
/// </summary>
public static class CanonicalPath
{
    public static PathString Of(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } ? new PathString(pattern) : context.Request.Path;
}
