using System.Buffers;
using System.Text.Json;

namespace LlmHost.Gateway.Metering;

/// <summary>
/// Finds the top-level <c>usage</c> of a JSON answer while it streams through, chunk by chunk, without buffering
/// the body: a <see cref="Utf8JsonReader"/> resumed across writes, keeping only the bytes of an unfinished token.
/// Notes the answer's <c>model</c> and its choices' <c>finish_reason</c>s on the way.
/// </summary>
internal sealed class JsonUsageScanner(string requestedModel, bool readModel) : IDisposable
{
    private enum Expect
    {
        Nothing,
        UsageObject,
        Prompt,
        Completion,
        Total,
        Model,
        FinishReason,
        Details,
        Cached,
    }

    private const int MaxCarry = 4 * 1024 * 1024;
    private JsonReaderState _state = new(new JsonReaderOptions { AllowTrailingCommas = false });
    private byte[]? _carry;
    private int _carryLength;
    private bool _failed;
    private bool _inUsage;
    private Expect _expect;
    private int? _prompt, _completion, _total, _cached;
    private bool _inDetails;
    private bool _inChoices;
    private string? _model;
    private FinishReasons _finishReasons;

    public bool Found => _completion is not null || _prompt is not null;

    public void Report(CompletionMeasurement measurement)
    {
        if (Found)
        {
            measurement.ReportUsage(_prompt, _completion, _total, _cached);
        }
        measurement.ResponseModel ??= _model;
        measurement.FinishReasons |= _finishReasons;
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
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                _expect = reader.ValueTextEquals("usage"u8) ? Expect.UsageObject
                    : readModel && _model is null && reader.ValueTextEquals("model"u8) ? Expect.Model
                    : Expect.Nothing;
                _inChoices = reader.ValueTextEquals("choices"u8);
                break;
            case JsonTokenType.String when _expect == Expect.Model && reader.CurrentDepth == 1:
                _model = ResponseModel.Of(ref reader, requestedModel);
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.PropertyName when _inChoices && reader.CurrentDepth == 3:
                _expect = reader.ValueTextEquals("finish_reason"u8) ? Expect.FinishReason : Expect.Nothing;
                break;
            case JsonTokenType.String when _expect == Expect.FinishReason && reader.CurrentDepth == 3:
                _finishReasons |= FinishReasonNames.Of(ref reader);
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.StartObject when _expect == Expect.UsageObject:
                _inUsage = true;
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.PropertyName when _inUsage && reader.CurrentDepth == 2:
                _expect = reader.ValueTextEquals("prompt_tokens"u8) ? Expect.Prompt
                    : reader.ValueTextEquals("completion_tokens"u8) ? Expect.Completion
                    : reader.ValueTextEquals("total_tokens"u8) ? Expect.Total
                    : reader.ValueTextEquals("prompt_tokens_details"u8) ? Expect.Details
                    : Expect.Nothing;
                break;
            case JsonTokenType.StartObject when _expect == Expect.Details && reader.CurrentDepth == 2:
                _inDetails = true;
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.PropertyName when _inDetails && reader.CurrentDepth == 3:
                _expect = reader.ValueTextEquals("cached_tokens"u8) ? Expect.Cached : Expect.Nothing;
                break;
            case JsonTokenType.Number when _inDetails && reader.CurrentDepth == 3:
                if (_expect == Expect.Cached && reader.TryGetInt32(out var cached))
                {
                    _cached = cached;
                }
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.EndObject when _inDetails && reader.CurrentDepth == 2:
                _inDetails = false;
                break;
            case JsonTokenType.Number when _inUsage && reader.CurrentDepth == 2:
                if (reader.TryGetInt32(out var value))
                {
                    switch (_expect)
                    {
                        case Expect.Prompt: _prompt = value; break;
                        case Expect.Completion: _completion = value; break;
                        case Expect.Total: _total = value; break;
                    }
                }
                _expect = Expect.Nothing;
                break;
            case JsonTokenType.EndObject when _inUsage && reader.CurrentDepth == 1:
                _inUsage = false;
                break;
            default:
                if (reader.CurrentDepth <= 1 && reader.TokenType is not JsonTokenType.PropertyName)
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
