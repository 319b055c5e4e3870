namespace LlmHost.Gateway.Authentication;

public static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string HeaderName = "x-api-key";
}
