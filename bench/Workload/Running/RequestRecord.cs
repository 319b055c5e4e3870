namespace LlmHost.Workload.Running;

/// <summary>
/// What one request felt like, in wall-clock milliseconds (the report scales them by the time scale). Status 0 is a
/// transport failure; <see cref="Error"/> is set for every request that did not complete with an answer.
/// </summary>
public sealed class RequestRecord
{
    public required string Tenant { get; init; }
    public required string Group { get; init; }
    public required string Model { get; init; }

    /// <summary>When the request was sent, from the start of the run.</summary>
    public double StartMs { get; init; }

    public int Status { get; set; }
    public string? Error { get; set; }
    public double TtftMs { get; set; }
    public double E2eMs { get; set; }
    public int PromptTokens { get; set; }
    public int CachedTokens { get; set; }
    public int OutputTokens { get; set; }

    /// <summary>Gaps between consecutive streamed content chunks (inter-token latency).</summary>
    public List<double> Gaps { get; } = [];

    public bool Succeeded => Error is null;
}
