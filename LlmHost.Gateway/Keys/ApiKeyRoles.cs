namespace LlmHost.Gateway.Keys;

public static class ApiKeyRoles
{
    public const string Admin = "admin";
    public const string User = "user";
}
