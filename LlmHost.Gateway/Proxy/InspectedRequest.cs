namespace LlmHost.Gateway.Proxy;

/// <summary>
/// A completion request body read once into a buffer, with the fields the gateway needs. Dispose returns the buffer
/// and the body budget it was taken from; the forwarded body does so as soon as the backend has read it.
/// </summary>
public sealed class InspectedRequest : IDisposable
{
    private byte[]? _buffer;
    private IDisposable? _budget;

    public InspectedRequest(byte[] buffer, int length, IDisposable? budget = null)
    {
        _buffer = buffer;
        _budget = budget;
        Length = length;
    }

    public int Length { get; }

    /// <summary>True once the buffer went back: the body was sent (it cannot be sent again) or the request ended.</summary>
    public bool IsReleased => Volatile.Read(ref _buffer) is null;

    public ReadOnlyMemory<byte> Body => _buffer is { } b ? b.AsMemory(0, Length) : throw new ObjectDisposedException(nameof(InspectedRequest));

    /// <summary>The route's API: how the body's fields are read, and what its answer looks like.</summary>
    public ClientApis.ApiOperation Operation { get; set; } = ClientApis.ApiOperation.Chat;

    public string Model { get; set; } = "";
    public bool Stream { get; set; }
    public bool HasStreamOptions => StreamOptionsSpan.Length > 0;

    /// <summary><c>stream_options.include_usage</c> as sent: true, false, or null when absent.</summary>
    public bool? IncludeUsage { get; set; }

    /// <summary>Where the <c>model</c> string token (with its quotes) lies in <see cref="Body"/>.</summary>
    public BodySpan ModelSpan { get; set; }

    /// <summary>Where the <c>stream_options</c> object lies in <see cref="Body"/>; empty when absent.</summary>
    public BodySpan StreamOptionsSpan { get; set; }

    /// <summary>Offset of the body's closing <c>}</c>.</summary>
    public int ClosingBrace { get; set; }

    /// <summary>True when the client asked for the usage chunk of a stream (OpenAI: only <c>include_usage: true</c>).</summary>
    public bool ClientWantsUsageChunk => IncludeUsage == true;

    /// <summary>The body's <c>user</c> string (with its quotes) when it is short enough to name a session; empty otherwise.</summary>
    public BodySpan UserSpan { get; set; }

    /// <summary>Where the prompt is in the body: the <c>messages</c> list or the <c>prompt</c> value (empty if neither).</summary>
    public BodySpan PromptSpan { get; set; }
    /// <summary><c>max_tokens</c> (chat, completions, Anthropic's messages).</summary>
    public int? MaxTokens { get; set; }

    /// <summary>The Responses API's <c>max_output_tokens</c>.</summary>
    public int? MaxOutputTokens { get; set; }

    /// <summary>
    /// The largest output limit the body sets, whichever its field (an engine may read any of them: a small one beside
    /// a large one must not decide the reservation).
    /// </summary>
    public int? MaxOutput => MaxTokens is null && MaxCompletionTokens is null && MaxOutputTokens is null
        ? null
        : Math.Max(MaxTokens ?? 0, Math.Max(MaxCompletionTokens ?? 0, MaxOutputTokens ?? 0));

    /// <summary>The Responses API's <c>previous_response_id</c>: the stored response this request continues.</summary>
    public string? PreviousResponseId { get; set; }

    /// <summary>The tokens of the stored conversation <see cref="PreviousResponseId"/> continues (its engine reads them again).</summary>
    public long ConversationTokens { get; set; }

    /// <summary>The Responses API's <c>store</c>: false when the engine is asked not to keep the response.</summary>
    public bool Store { get; set; } = true;
    public int? MaxCompletionTokens { get; set; }
    public int? N { get; set; }

    /// <summary>vLLM's <c>best_of</c> for completions: sequences generated, of which <c>n</c> are returned.</summary>
    public int? BestOf { get; set; }

    /// <summary>The adapter an engine field (SGLang's <c>lora_path</c>) selects, if the body has one.</summary>
    public string? Adapter { get; set; }

    /// <summary>The name of the field that named <see cref="Adapter"/>.</summary>
    public string? AdapterField { get; set; }

    /// <summary>The priority class the body's <c>priority</c> asks for (by name); after admission, the class it is queued and sent with.</summary>
    public FlowControl.RequestPriority? Priority { get; set; }

    /// <summary>The flow-control queue whose grant the request holds until it is in flight on an instance (then given back).</summary>
    public FlowControl.FlowQueue? HeldGrant { get; set; }

    /// <summary>The flow-control queue that let the request through: its key's in flight there until it ends.</summary>
    public FlowControl.FlowQueue? LetThrough { get; set; }

    /// <summary>Gives back the request's flow-control grant, if it still holds one (sent, or never to be).</summary>
    public void ReleaseGrant()
    {
        if (HeldGrant is { } queue)
        {
            HeldGrant = null;
            queue.Sent();
        }
    }

    /// <summary>The first operator-only engine field the body carries (see <c>EngineProfile.OperatorOnlyFields</c>).</summary>
    public string? OperatorField { get; set; }

    /// <summary>
    /// Byte ranges to cut when the body is forwarded: the adapter field (resolved into <c>model</c>) and the
    /// operator-only fields, each with its comma, so that what remains is valid JSON.
    /// </summary>
    public List<BodySpan> Removals { get; } = [];

    /// <summary>A stream over the body as it came, which releases the request once read to its end.</summary>
    public Stream OpenBody() => new SegmentedBody(Body, this);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            BodyBuffer.Return(buffer);
        }
        Interlocked.Exchange(ref _budget, null)?.Dispose();
    }
}
