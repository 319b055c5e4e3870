using LlmHost.Gateway.Authentication;

namespace LlmHost.Gateway.Apis;

/// <summary><c>/admin/*</c>, admin keys only: the key lifecycle, the gateway's status, the adapters and engine sleep.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireApiKey(admin: true);
        admin.MapAdminKeysApi();
        admin.MapAdminStatusApi();
        admin.MapAdminAdaptersApi();
        admin.MapAdminEnginesApi();
        return app;
    }
}
