namespace LlmHost.Gateway;

/// <summary>Builds the gateway's web application; used by Program and by tests that host it on a real port.</summary>
public static class GatewayApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The content root is the application's folder, not the working directory: appsettings.json (log levels)
        // applies however the gateway is started. Paths given on the command line stay relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddServiceDefaults();
        builder.AddGateway();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<Observability.AccessLogging.AccessLogMiddleware>();
        app.UseStatusCodePages(Errors.OpenAIStatusPages.WriteAsync);
        Observability.MetricsAccess.Use(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapGateway();
        return app;
    }
}
