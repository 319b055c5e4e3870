namespace LlmHost.Backends.Configuration;

/// <summary>The whole of <c>config/config.yaml</c>: the stack's topology and the gateway's settings.</summary>
public sealed class LlmHostConfig
{
    private IReadOnlyDictionary<string, int>? _sourceLines;

    /// <summary>The line of each setting in the file it was read from (for errors found after loading).</summary>
    public IReadOnlyDictionary<string, int>? SourceLines => _sourceLines;

    internal void SetSourceLines(IReadOnlyDictionary<string, int> lines) => _sourceLines = lines;

    public GatewaySettings Gateway { get; set; } = new();
    public LimitsSettings Limits { get; set; } = new();
    public RoutingSettings Routing { get; set; } = new();
    public List<BackendSettings> Backends { get; set; } = [];
    public EdgeSettings Edge { get; set; } = new();
    public MonitoringSettings Monitoring { get; set; } = new();
    public LoggingSettings Logging { get; set; } = new();

    public BackendSettings? FindBackend(string name)
    {
        foreach (var backend in Backends)
        {
            if (string.Equals(backend.Name, name, StringComparison.Ordinal))
            {
                return backend;
            }
        }
        return null;
    }
}
