namespace LlmHost.Backends.Configuration;

public sealed class GatewaySettings
{
    /// <summary>Largest request body the gateway accepts, in MiB; larger bodies get 413.</summary>
    public int MaxRequestBodyMb { get; set; } = 16;

    /// <summary>Gateway processes the AppHost runs behind Nginx.</summary>
    public int Replicas { get; set; } = 1;

    /// <summary>How long to wait for a backend's TCP connection before trying another candidate.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest silence allowed on a backend response (time to first byte and between chunks).</summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>How long a rotated key's old secret keeps working, unless the rotate request says otherwise.</summary>
    public TimeSpan KeyRotationOverlap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Addresses whose <c>X-Forwarded-For</c> is believed (the Nginx edge runs on the same machine): the access log's
    /// client address comes from that header only when the connection comes from one of these.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = ["127.0.0.1", "::1"];

    /// <summary>
    /// Memory all request bodies may hold at once, in MiB (a body is held from its first byte until the backend has
    /// read it); a request that would go beyond it is refused with 429 before more of its body is read.
    /// </summary>
    public int MaxBufferedBodyMb { get; set; } = 512;

    /// <summary>The same bound for the requests of one key, in MiB: a sixteenth of the total, so one tenant cannot fill it.</summary>
    public int MaxBufferedBodyPerKeyMb { get; set; } = 32;

    /// <summary>
    /// What to do with a request field only the operator may set (vLLM <c>priority</c>, SGLang <c>rid</c>, …, see
    /// docs/API_REFERENCE.md): <c>refuse</c> the request with 400, or <c>remove</c> the field and forward the rest.
    /// </summary>
    public string OperatorFields { get; set; } = "refuse";

    /// <summary>
    /// Networks (<c>10.0.0.0/8</c>) or addresses that may read <c>/metrics</c> from the gateway itself: by default
    /// loopback, where Prometheus and the edge run beside it (the AppHost adds the container networks when they run
    /// as containers). Empty: anyone.
    /// </summary>
    public List<string> MetricsAllow { get; set; } = ["127.0.0.0/8", "::1/128"];

    /// <summary>
    /// Client request headers forwarded to the engines besides <c>Accept</c> and <c>User-Agent</c> (none by default:
    /// a header nobody reviewed does not reach an engine). Credentials, hop-by-hop and forwarding headers cannot be listed.
    /// </summary>
    public List<string> ForwardHeaders { get; set; } = [];

    /// <summary>Kestrel's connection limits, read at start.</summary>
    public ServerSettings Server { get; set; } = new();

    public long MaxRequestBodyBytes => MaxRequestBodyMb * 1024L * 1024L;

    public long MaxBufferedBodyBytes => MaxBufferedBodyMb * 1024L * 1024L;

    public long MaxBufferedBodyPerKeyBytes => MaxBufferedBodyPerKeyMb * 1024L * 1024L;
}
