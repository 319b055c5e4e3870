namespace LlmHost.Backends.Configuration;

public sealed class RedisSettings
{
    /// <summary>
    /// StackExchange.Redis connection string (<c>host:port,password=…</c>). Empty: the <c>ConnectionStrings:redis</c>
    /// setting, which the AppHost provides.
    /// </summary>
    public string? ConnectionString { get; set; }
}
