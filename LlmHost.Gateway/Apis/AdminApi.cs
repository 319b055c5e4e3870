using LlmHost.Gateway.Authentication;

namespace LlmHost.Gateway.Apis;

/// <summary><c>/admin/*</c>, admin keys only: the key lifecycle, the gateway's status and the adapters.</summary>
public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(ApiKeyDefaults.AdminPolicy);
        admin.MapAdminKeysApi();
        admin.MapAdminStatusApi();
        admin.MapAdminAdaptersApi();
        return app;
    }
}
