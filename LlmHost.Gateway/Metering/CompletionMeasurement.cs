using System.Diagnostics;

namespace LlmHost.Gateway.Metering;

/// <summary>
/// The record of a completion request once its body was read — its model, then backend, usage, time to first token,
/// duration, status — that limits and observability both read. Set as an HttpContext feature as soon as the body is
/// inspected (the access log reads it from there), and handed to every <see cref="IRequestObserver"/> when a
/// forwarded request ends.
/// </summary>
public sealed class CompletionMeasurement(string model, bool stream, long startTimestamp, int requestBytes = 0)
{
    /// <summary>The status recorded when the client went away before its answer was complete (Nginx's 499).</summary>
    public const int ClientClosedRequest = Errors.GatewayStatusCodes.ClientClosedRequest;

    private int _countedCompletionTokens;
    private int? _reportedInput, _cached, _cacheRead, _cacheCreation;

    /// <summary>The model the request selects: the body's <c>model</c>, or the adapter an engine field named.</summary>
    public string Model { get; set; } = model;

    /// <summary>Bytes of the request body the gateway read.</summary>
    public int RequestBytes { get; } = requestBytes;
    public bool Stream { get; } = stream;
    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>The backend instance that served the request (the last one tried).</summary>
    public string? Backend { get; set; }

    /// <summary>Forwarding attempts: 2 when the first backend refused the connection and another answered.</summary>
    public int Attempts { get; set; }

    /// <summary>The engine of the instance that answered (<c>vllm</c>, <c>sglang</c>) and its host and port (for the trace).</summary>
    public string? Provider { get; set; }
    public string? ServerHost { get; set; }
    public int ServerPort { get; set; }

    /// <summary>The route's operation name (OpenTelemetry's GenAI names: <c>chat</c>, <c>text_completion</c>, <c>embeddings</c>; and <c>responses</c>, <c>messages</c>, <c>count_tokens</c>).</summary>
    public string Operation { get; init; } = "chat";

    /// <summary>Whether the answer's id is wanted: a Responses API response the engine stores, which later requests name.</summary>
    public bool KeepsResponseId { get; init; }

    /// <summary>The id of the response the answer created (Responses API, when <see cref="KeepsResponseId"/>).</summary>
    public string? ResponseId { get; set; }

    /// <summary>Called once with <see cref="ResponseId"/> as soon as it is read, before the bytes carrying it go to the client.</summary>
    public Func<string, ValueTask>? OnResponseId { get; set; }

    /// <summary>Whether the request's span records everything (then the answer's <c>model</c> is read for it).</summary>
    public bool Traced { get; init; }

    /// <summary>The <c>model</c> the answer named (traced requests only), and the <c>finish_reason</c>s of its choices.</summary>
    public string? ResponseModel { get; set; }

    /// <summary>
    /// Prompt tokens the engine found in its prefix cache (<c>usage.prompt_tokens_details.cached_tokens</c>, the Responses
    /// API's <c>input_tokens_details.cached_tokens</c>, Anthropic's <c>cache_read_input_tokens</c>), when it says.
    /// </summary>
    public int? CachedPromptTokens => _cacheRead ?? _cached;
    public FinishReasonList FinishReasons { get; set; }

    /// <summary>The request's <c>max_tokens</c> (or <c>max_completion_tokens</c>), as sent.</summary>
    public int? MaxTokens { get; set; }

    /// <summary>How flow control treated the request (null when it never got that far) and how long it waited in the queue.</summary>
    public FlowControl.QueueOutcome? Queue { get; set; }
    public TimeSpan QueueTime { get; set; }

    /// <summary>Its prompt's hold on the instance's prefill (flow control's prefill cap), until its first byte comes back.</summary>
    public Routing.Load.PrefillLedger.Hold? Prefill { get; set; }

    /// <summary>The priority class it was queued and sent with.</summary>
    public FlowControl.RequestPriority Priority { get; set; } = FlowControl.RequestPriority.Default;

    public int Status { get; set; }
    /// <summary>The whole prompt as reported: Anthropic's <c>input_tokens</c> leave out its cache reads and writes, added back here.</summary>
    public int? ReportedPromptTokens => _reportedInput is null && _cacheRead is null && _cacheCreation is null
        ? null
        : (_reportedInput ?? 0) + (_cacheRead ?? 0) + (_cacheCreation ?? 0);
    public int? ReportedCompletionTokens { get; private set; }
    public int? ReportedTotalTokens { get; private set; }
    public long? FirstByteTimestamp { get; set; }

    /// <summary>When the last byte of the answer went to the client.</summary>
    public long? LastByteTimestamp { get; set; }
    public TimeSpan Duration { get; set; }

    /// <summary>Bytes of the backend's answer relayed to the client.</summary>
    public long ResponseBytes { get; set; }

    /// <summary>Time spent inside the backend call (all attempts): sending, waiting, and relaying the answer.</summary>
    public TimeSpan UpstreamTime { get; set; }

    /// <summary>The gateway's prompt token estimate (0 when the key has no token limit, so nothing was estimated).</summary>
    public int PromptEstimate { get; set; }

    /// <summary>An error event the stream carried (the backend failed after the 200 was sent).</summary>
    public bool StreamError { get; set; }

    /// <summary>The client went away before its answer was complete; recorded as 499, not as an error.</summary>
    public bool ClientGone { get; set; }

    public UsageSource Source => ReportedCompletionTokens is not null ? UsageSource.Reported
        : _countedCompletionTokens > 0 ? UsageSource.Counted
        : UsageSource.None;

    public int PromptTokens => ReportedPromptTokens ?? 0;

    public int CompletionTokens => ReportedCompletionTokens ?? _countedCompletionTokens;

    public int TotalTokens => ReportedTotalTokens ?? PromptTokens + CompletionTokens;

    /// <summary>Time from the request's arrival to the first byte of the answer sent to the client.</summary>
    public TimeSpan? TimeToFirstToken => FirstByteTimestamp is { } first ? Stopwatch.GetElapsedTime(StartTimestamp, first) : null;

    /// <summary>
    /// Mean time between streamed tokens: first to last byte over the tokens after the first; null for answers that
    /// are not streams or have fewer than two tokens.
    /// </summary>
    public TimeSpan? InterTokenLatency =>
        Stream && CompletionTokens > 1 && FirstByteTimestamp is { } first && LastByteTimestamp is { } last
            ? Stopwatch.GetElapsedTime(first, last) / (CompletionTokens - 1)
            : null;

    /// <summary>
    /// What the request is charged against its key's tokens per minute: the reported usage; else the prompt estimate
    /// plus the streamed tokens counted (a stream cut short); else, for a client that went away, at least the prompt
    /// (the engine has read it); nothing for a gateway or backend error that produced no tokens.
    /// </summary>
    public long TokensCharged => Source switch
    {
        UsageSource.Reported => ReportedPromptTokens is null ? PromptEstimate + TotalTokens : TotalTokens,
        UsageSource.Counted => (ReportedPromptTokens ?? PromptEstimate) + CompletionTokens,
        _ => ClientGone || Status < 400 ? ReportedPromptTokens ?? PromptEstimate : 0,
    };

    /// <summary>
    /// Takes a usage report; each count given replaces the one before (with continuous usage stats every chunk carries
    /// usage, and Anthropic spreads its counts over <c>message_start</c> and <c>message_delta</c>): the last one wins.
    /// </summary>
    public void ReportUsage(int? prompt, int? completion, int? total, int? cachedPrompt = null, int? cacheRead = null, int? cacheCreation = null)
    {
        _cached = cachedPrompt ?? _cached;
        _cacheRead = cacheRead ?? _cacheRead;
        _cacheCreation = cacheCreation ?? _cacheCreation;
        _reportedInput = prompt ?? _reportedInput;
        ReportedCompletionTokens = completion ?? ReportedCompletionTokens;
        ReportedTotalTokens = total ?? ReportedTotalTokens;
    }

    public void CountCompletionTokens(int tokens) => _countedCompletionTokens += tokens;
}
