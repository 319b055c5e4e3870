namespace LlmHost.Gateway;

/// <summary>Builds the gateway's web application; used by Program and by tests that host it on a real port.</summary>
public static class GatewayApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddGateway();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<Observability.AccessLogging.AccessLogMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapGateway();
        return app;
    }
}
