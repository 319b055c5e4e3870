namespace LlmHost.AppHost.Hosting;

public static class ResourceUrlBuilderExtensions
{
    /// <summary>Shows the <c>http</c> endpoint's link on the dashboard as <paramref name="path"/> under it, named <paramref name="text"/>.</summary>
    public static IResourceBuilder<T> WithHttpUrl<T>(this IResourceBuilder<T> builder, string path, string text) where T : IResourceWithEndpoints =>
        builder.WithUrlForEndpoint("http", url =>
        {
            url.Url = url.Url.TrimEnd('/') + path;
            url.DisplayText = text;
        });
}
