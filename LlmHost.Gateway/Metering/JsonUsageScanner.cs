using System.Buffers;
using System.Text.Json;

namespace LlmHost.Gateway.Metering;

/// <summary>
/// Finds the top-level <c>usage</c> of a JSON answer (see <see cref="UsageReader"/> for its dialects) while it streams
/// through, chunk by chunk, without buffering the body: a <see cref="Utf8JsonReader"/> resumed across writes, keeping
/// only the bytes of an unfinished token. Notes the answer's <c>model</c>, how it ended (its choices'
/// <c>finish_reason</c>s, Anthropic's <c>stop_reason</c>, the Responses API's <c>status</c>) and, when asked, its
/// <c>id</c> on the way.
/// </summary>
/// <remarks>With <c>envelopes</c> (an SSE event's data) the usage and id may sit in its <c>response</c> or <c>message</c> object.</remarks>
internal sealed class JsonUsageScanner(string requestedModel, bool readModel, bool readId = false, bool envelopes = false) : IDisposable
{
    private enum Expect
    {
        Nothing,
        UsageObject,
        Count,
        Model,
        Id,
        FinishReason,
        StopReason,
        Status,
        Details,
        Cached,
        Envelope,
        EventType,
    }

    private const int MaxCarry = 4 * 1024 * 1024;
    private JsonReaderState _state = new(new JsonReaderOptions { AllowTrailingCommas = false });
    private byte[]? _carry;
    private int _carryLength;
    private bool _failed;
    private bool _inUsage;
    private Expect _expect;
    private UsageReader.Counts _usage;
    private int _base;
    private UsageReader.Slot _slot;
    private bool _inDetails;
    private bool _inChoices;
    private string? _model;
    private string? _id;
    private FinishReasonList _finishReasons;

    public bool Found => _usage.Found;

    /// <summary>The answer's <c>id</c>, once read (only when asked to read it).</summary>
    public string? Id => _id;

    /// <summary>An event's <c>type</c> said it failed (<c>error</c>, <c>response.failed</c>); with envelopes only.</summary>
    public bool EventFailed { get; private set; }

    public void Report(CompletionMeasurement measurement)
    {
        if (Found)
        {
            _usage.ReportTo(measurement);
        }
        measurement.ResponseModel ??= _model;
        measurement.ResponseId ??= _id;
        measurement.FinishReasons = measurement.FinishReasons.AddRange(_finishReasons);
    }

    public void Feed(ReadOnlySpan<byte> data)
    {
        if (_failed || data.IsEmpty)
        {
            return;
        }
        if (_carryLength == 0)
        {
            Scan(data);
            return;
        }
        var combined = ArrayPool<byte>.Shared.Rent(_carryLength + data.Length);
        try
        {
            _carry.AsSpan(0, _carryLength).CopyTo(combined);
            data.CopyTo(combined.AsSpan(_carryLength));
            var length = _carryLength + data.Length;
            _carryLength = 0;
            Scan(combined.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(combined);
        }
    }

    private void Scan(ReadOnlySpan<byte> input)
    {
        var reader = new Utf8JsonReader(input, isFinalBlock: false, _state);
        try
        {
            while (reader.Read())
            {
                Process(ref reader);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a string that is not text (a lone surrogate escape): the rest is not scanned, the answer flows on.
            _failed = true;
            return;
        }
        _state = reader.CurrentState;
        var rest = input[(int)reader.BytesConsumed..];
        if (rest.Length > MaxCarry)
        {
            // One token longer than this (a huge string) is not worth holding to find the usage after it.
            _failed = true;
            return;
        }
        if (rest.Length > 0)
        {
            if (_carry is null || _carry.Length < rest.Length)
            {
                if (_carry is not null)
                {
                    ArrayPool<byte>.Shared.Return(_carry);
                }
                _carry = ArrayPool<byte>.Shared.Rent(Math.Max(rest.Length, 256));
            }
            rest.CopyTo(_carry);
            _carryLength = rest.Length;
        }
    }

    private void Process(ref Utf8JsonReader reader)
    {
        // Inside an event's envelope (the Responses API's "response", Anthropic's "message") its properties are the top level.
        var depth = reader.CurrentDepth - _base;
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName when depth == 1 && _base == 0 && envelopes && (reader.ValueTextEquals("response"u8) || reader.ValueTextEquals("message"u8)):
                _expect = Expect.Envelope;
                break;
            case JsonTokenType.PropertyName when depth == 1 && _base == 0 && envelopes && reader.ValueTextEquals("type"u8):
                _expect = Expect.EventType;
                break;
            case JsonTokenType.String when _expect == Expect.EventType && depth == 1:
                EventFailed |= reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("response.failed"u8);
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.StartObject when _expect == Expect.Envelope && depth == 1:
                (_base, _expect) = (1, Expect.Nothing);
                break;
            case JsonTokenType.EndObject when _base == 1 && depth == 0:
                _base = 0;
                break;
            case JsonTokenType.PropertyName when depth == 1:
                _expect = reader.ValueTextEquals("usage"u8) ? Expect.UsageObject
                    : readModel && _model is null && reader.ValueTextEquals("model"u8) ? Expect.Model
                    : readId && _id is null && reader.ValueTextEquals("id"u8) ? Expect.Id
                    : reader.ValueTextEquals("stop_reason"u8) ? Expect.StopReason
                    : reader.ValueTextEquals("status"u8) ? Expect.Status
                    : Expect.Nothing;
                _inChoices = reader.ValueTextEquals("choices"u8);
                break;
            case JsonTokenType.String when _expect == Expect.Model && depth == 1:
                _model = ResponseModel.Of(ref reader, requestedModel);
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.String when _expect == Expect.Id && depth == 1:
                _id = ClientApis.ResponseIds.Read(ref reader);
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.String when _expect == Expect.StopReason && depth == 1:
                _finishReasons = _finishReasons.Add(FinishReasonNames.OfStopReason(ref reader));
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.String when _expect == Expect.Status && depth == 1:
                _finishReasons = _finishReasons.Add(FinishReasonNames.OfStatus(ref reader));
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.PropertyName when _inChoices && depth == 3:
                _expect = reader.ValueTextEquals("finish_reason"u8) ? Expect.FinishReason : Expect.Nothing;
                break;
            case JsonTokenType.String when _expect == Expect.FinishReason && depth == 3:
                _finishReasons = _finishReasons.Add(FinishReasonNames.Of(ref reader));
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.StartObject when _expect == Expect.UsageObject:
                _inUsage = true;
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.PropertyName when _inUsage && depth == 2:
                _slot = UsageReader.SlotOf(ref reader);
                _expect = _slot == UsageReader.Slot.Details ? Expect.Details : _slot == UsageReader.Slot.None ? Expect.Nothing : Expect.Count;
                break;
            case JsonTokenType.StartObject when _expect == Expect.Details && depth == 2:
                _inDetails = true;
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.PropertyName when _inDetails && depth == 3:
                _expect = reader.ValueTextEquals("cached_tokens"u8) ? Expect.Cached : Expect.Nothing;
                break;
            case JsonTokenType.Number when _inDetails && depth == 3:
                if (_expect == Expect.Cached && reader.TryGetInt32(out var cached))
                {
                    _usage.Cached = cached;
                }
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.EndObject when _inDetails && depth == 2:
                _inDetails = false;
                break;
            case JsonTokenType.Number when _inUsage && depth == 2:
                if (_expect == Expect.Count && reader.TryGetInt32(out var value))
                {
                    _usage.Set(_slot, value);
                }
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.EndObject when _inUsage && depth == 1:
                _inUsage = false;
                break;
            default:
                if (depth <= 1 && reader.TokenType is not JsonTokenType.PropertyName)
                {
                    _expect = _expect == Expect.UsageObject && reader.TokenType != JsonTokenType.StartObject ? Expect.Nothing : _expect;
                }
                break;
        }
    }

    public void Dispose()
    {
        if (_carry is not null)
        {
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = null;
        }
    }
}
