namespace LlmHost.Gateway.Errors;

/// <summary>Status codes the gateway records beyond ASP.NET Core's list.</summary>
public static class GatewayStatusCodes
{
    /// <summary>The client went away before its answer was complete: nobody is left to answer (Nginx's 499).</summary>
    public const int ClientClosedRequest = 499;
}
