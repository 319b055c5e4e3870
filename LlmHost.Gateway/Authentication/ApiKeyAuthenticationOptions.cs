using Microsoft.AspNetCore.Authentication;

namespace LlmHost.Gateway.Authentication;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions;
