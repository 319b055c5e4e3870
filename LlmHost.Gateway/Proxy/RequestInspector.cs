using System.Text.Json;
using LlmHost.Backends.Engines;
using LlmHost.Gateway.FlowControl;
using LlmHost.Gateway.RateLimiting;
using LlmHost.Gateway.ClientApis;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Picks the top-level fields the gateway acts on out of a completion request body with <see cref="Utf8JsonReader"/>
/// (no DOM, no per-field allocation except <c>model</c>): the routing and metering fields, the engine fields that
/// select an adapter, and the engine fields only an operator may set. A field the gateway acts on may appear only
/// once: with two <c>model</c>s the gateway and the engine could read different ones.
/// </summary>
public sealed class RequestInspector
{
    /// <summary>Longest model (or adapter) name accepted, in characters; longer ones are refused unread.</summary>
    public const int MaxModelNameLength = 256;

    /// <summary>Most sequences one request may ask for (<c>n</c>, <c>best_of</c>): OpenAI's own limit.</summary>
    public const int MaxSequences = 128;

    /// <summary>Largest <c>metadata</c> object accepted (OpenAI allows 16 pairs of 64-character keys and 512-character values).</summary>
    public const int MaxMetadataBytes = 16 * 1024;

    /// <summary>A <c>user</c> value longer than this names no session.</summary>
    public const int MaxSessionNameBytes = 256;

    /// <summary>Most prompts (or inputs) in one batch: OpenAI's limit for embeddings, applied to completions too.</summary>
    public const int MaxBatch = 2048;


    private enum Field
    {
        Other,
        Model,
        Stream,
        StreamOptions,
        MaxTokens,
        MaxCompletionTokens,
        N,
        BestOf,
        User,
        MaxOutputTokens,
        PreviousResponseId,
        Store,
        Background,
        Metadata,
        Adapter,
        OperatorOnly,

        /// <summary>Fields the prompt estimate reads (<c>messages</c>, <c>prompt</c>, …): checked for being given once.</summary>
        Counted,
    }

    private static readonly string[] CountedFields = ["messages", "prompt", "input", "tools", "functions", "response_format", "instructions", "system"];


    /// <summary>Reads the body (see <see cref="RequestBodyReader"/>) and inspects it.</summary>
    public ValueTask<InspectionResult> ReadAsync(HttpContext context, long maxBytes, RequestBodyBudget.Lease? budget = null, TimeSpan? timeout = null)
    {
        var reading = RequestBodyReader.ReadAsync(context, maxBytes, budget, timeout ?? Timeout.InfiniteTimeSpan);
        return reading.IsCompletedSuccessfully ? new(Inspected(context, reading.Result)) : InspectedAsync(context, reading);
    }

    private async ValueTask<InspectionResult> InspectedAsync(HttpContext context, ValueTask<InspectionResult> reading) =>
        Inspected(context, await reading);

    private InspectionResult Inspected(HttpContext context, InspectionResult read)
    {
        if (read.Request is not { } request)
        {
            return read;
        }
        request.Operation = ClientApis.ApiOperation.Of(context);
        if (Inspect(request) is not { } invalid)
        {
            return read;
        }
        request.Dispose();
        return invalid;
    }

    /// <summary>Fills <paramref name="request"/>'s fields; null when the body is usable, else why not.</summary>
    public InspectionResult? Inspect(InspectedRequest request)
    {
        if (request.Length == 0)
        {
            return InspectionResult.Invalid("The request body must be a JSON object.", null);
        }
        var reader = new Utf8JsonReader(request.Body.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return InspectionResult.Invalid("The request body must be a JSON object.", null);
            }
            if (ReadProperties(ref reader, request) is { } bad)
            {
                return bad;
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return InspectionResult.Invalid("The request body is not valid JSON: unexpected content after the object.", null);
            }
        }
        catch (JsonException ex)
        {
            return InspectionResult.Invalid($"The request body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).", null);
        }
        return request.Model.Length == 0 ? InspectionResult.Invalid("You must provide a model parameter.", "model") : null;
    }

    // The object's properties, in order. Removable ones (adapter and operator fields) are cut in runs: a run followed
    // by a kept property is cut up to that property's name; a run at the end is cut from the end of the last kept
    // value, so that the commas left over always make valid JSON.
    private InspectionResult? ReadProperties(ref Utf8JsonReader reader, InspectedRequest request)
    {
        var seen = 0L;
        var keptValueEnd = (int)reader.BytesConsumed;
        int runStart = -1, runAfterKept = -1, runEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            if (!JsonUnicode.IsValid(ref reader))
            {
                return NotUnicode;
            }
            var (field, index) = Identify(ref reader);
            if (field != Field.Other)
            {
                var bit = Bit(field, index);
                if ((seen & bit) != 0)
                {
                    var name = NameOf(field, index);
                    return InspectionResult.Invalid($"The field '{name}' appears more than once.", name);
                }
                seen |= bit;
            }
            reader.Read();
            if (ReadValue(ref reader, request, field, index) is { } bad)
            {
                return bad;
            }
            if (field is Field.Adapter or Field.OperatorOnly)
            {
                if (runStart < 0)
                {
                    (runStart, runAfterKept) = (nameStart, keptValueEnd);
                }
                runEnd = (int)reader.BytesConsumed;
                continue;
            }
            if (runStart >= 0)
            {
                request.Removals.Add(BodySpan.FromTo(runStart, nameStart));
                runStart = -1;
            }
            keptValueEnd = (int)reader.BytesConsumed;
        }
        if (runStart >= 0)
        {
            request.Removals.Add(BodySpan.FromTo(runAfterKept, runEnd));
        }
        request.ClosingBrace = (int)reader.TokenStartIndex;
        return null;
    }

    // Names of the fields below Adapter, for messages.
    private static string FieldName(Field field) => field switch
    {
        Field.Model => "model",
        Field.Stream => "stream",
        Field.StreamOptions => "stream_options",
        Field.MaxTokens => "max_tokens",
        Field.MaxCompletionTokens => "max_completion_tokens",
        Field.N => "n",
        Field.User => "user",
        Field.MaxOutputTokens => "max_output_tokens",
        Field.PreviousResponseId => "previous_response_id",
        Field.Store => "store",
        Field.Background => "background",
        Field.Metadata => "metadata",
        Field.BestOf => "best_of",
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "A field of the engine or counted lists has no fixed name."),
    };

    /// <summary>The field at the reader's property name; for engine fields, their index in the engine lists.</summary>
    private static (Field Field, int Index) Identify(ref Utf8JsonReader reader) =>
        Fields.TryFind(ref reader, out var field) ? field : (Field.Other, 0);

    // Every field the inspector reads, by name: the fixed ones, the engines' adapter and operator-only fields, the
    // counted ones (first of two equal names wins, as the order of a chain of comparisons would).
    private static readonly Utf8NameTable<(Field, int)> Fields = new(
        Enum.GetValues<Field>().Where(f => f is > Field.Other and < Field.Adapter).Select(f => (FieldName(f), (f, 0)))
            .Concat(EngineProfile.AllAdapterFields.Select((name, i) => (name, (Field.Adapter, i))))
            .Concat(EngineProfile.AllOperatorOnlyFields.Select((name, i) => (name, (Field.OperatorOnly, i))))
            .Concat(CountedFields.Select((name, i) => (name, (Field.Counted, i)))));

    private static string NameOf(Field field, int index) => field switch
    {
        Field.Adapter => EngineProfile.AllAdapterFields[index],
        Field.OperatorOnly => EngineProfile.AllOperatorOnlyFields[index],
        Field.Counted => CountedFields[index],
        _ => FieldName(field),
    };

    // Whether the array at the reader (a copy: the caller's position stays) starts with a string or a list.
    private static bool HoldsPrompts(Utf8JsonReader reader) => reader.Read() && reader.TokenType is JsonTokenType.String or JsonTokenType.StartArray;

    // One bit per field the gateway acts on: basic fields 0-15, counted 16-25, adapter 26-31, operator-only 32 on.
    private static long Bit(Field field, int index) => field switch
    {
        Field.Counted => 1L << (16 + index),
        Field.Adapter => 1L << (26 + index),
        Field.OperatorOnly => 1L << (32 + index),
        _ => 1L << (int)field,
    };

    private static InspectionResult? ReadValue(ref Utf8JsonReader reader, InspectedRequest request, Field field, int index)
    {
        switch (field)
        {
            case Field.Model:
                if (ReadName(ref reader, "model", out var model) is { } badModel)
                {
                    return badModel;
                }
                request.Model = model ?? "";
                request.ModelSpan = new BodySpan((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
                return null;
            case Field.Stream:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                {
                    return InspectionResult.Invalid("'stream' must be a boolean.", "stream");
                }
                request.Stream = reader.TokenType == JsonTokenType.True;
                return null;
            case Field.StreamOptions:
                return ReadStreamOptions(ref reader, request);
            case Field.MaxTokens or Field.MaxCompletionTokens or Field.N or Field.BestOf or Field.MaxOutputTokens:
                return ReadCount(ref reader, request, field);
            case Field.PreviousResponseId:
                return ReadResponseId(ref reader, request);
            case Field.Store:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                {
                    return InspectionResult.Invalid("'store' must be a boolean.", "store");
                }
                request.Store = reader.TokenType != JsonTokenType.False;
                return null;
            case Field.Background when request.Operation == ClientApis.ApiOperation.Responses && reader.TokenType == JsonTokenType.True:
                // Its generation would outlive the request that holds the key's concurrency and settles its tokens.
                return InspectionResult.Invalid("Background responses are not supported by this gateway; send the request without 'background'.", "background");
            case Field.Metadata:
                // Engines repeat it in every Responses event and in the stored response: kept small.
                var metadataStart = reader.TokenStartIndex;
                if (!JsonUnicode.SkipChecked(ref reader))
                {
                    return NotUnicode;
                }
                return reader.BytesConsumed - metadataStart > MaxMetadataBytes
                    ? InspectionResult.Invalid($"'metadata' is larger than {MaxMetadataBytes / 1024} KiB.", "metadata")
                    : null;
            case Field.User:
                // Kept (as raw bytes) only when short: it may name a session for session affinity.
                if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= MaxSessionNameBytes)
                {
                    request.UserSpan = new BodySpan((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
                }
                return JsonUnicode.SkipChecked(ref reader) ? null : NotUnicode;
            case Field.Adapter:
                return ReadAdapter(ref reader, request, EngineProfile.AllAdapterFields[index]);
            case Field.OperatorOnly when reader.TokenType == JsonTokenType.String && EngineProfile.AllOperatorOnlyFields[index] == "priority":
                return ReadPriorityClass(ref reader, request);
            case Field.OperatorOnly:
                request.OperatorField ??= EngineProfile.AllOperatorOnlyFields[index];
                return JsonUnicode.SkipChecked(ref reader) ? null : NotUnicode;
            case Field.Counted:
                return ReadCounted(ref reader, request, CountedFields[index]);
            default:
                return JsonUnicode.SkipChecked(ref reader) ? null : NotUnicode;
        }
    }

    // A priority class by name is the client's to ask for (capped by its key); vLLM's integer priority stays the operator's.
    private static InspectionResult? ReadPriorityClass(ref Utf8JsonReader reader, InspectedRequest request)
    {
        request.Priority = reader.ValueTextEquals("interactive"u8) ? RequestPriority.Interactive
            : reader.ValueTextEquals("default"u8) ? RequestPriority.Default
            : reader.ValueTextEquals("batch"u8) ? RequestPriority.Batch
            : null;
        return request.Priority is null ? InspectionResult.Invalid("'priority' must be \"interactive\", \"default\" or \"batch\".", "priority") : null;
    }

    private static InspectionResult? ReadCount(ref Utf8JsonReader reader, InspectedRequest request, Field field)
    {
        if (ReadOptionalInt(ref reader, FieldName(field), out var number) is { } badNumber)
        {
            return badNumber;
        }
        if (field is Field.N or Field.BestOf && number > MaxSequences)
        {
            return InspectionResult.Invalid($"'{FieldName(field)}' must be at most {MaxSequences}.", FieldName(field));
        }
        _ = field switch
        {
            Field.MaxTokens => request.MaxTokens = number,
            Field.MaxOutputTokens => request.MaxOutputTokens = number,
            Field.MaxCompletionTokens => request.MaxCompletionTokens = number,
            Field.N => request.N = number,
            _ => request.BestOf = number,
        };
        return null;
    }

    // The response a Responses API request continues: an id as the engine makes them, checked before it is kept.
    private static InspectionResult? ReadResponseId(ref Utf8JsonReader reader, InspectedRequest request)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !ResponseIds.IsValid(reader.ValueSpan))
        {
            return InspectionResult.Invalid(
                $"'previous_response_id' must be a response id (letters, digits, '_' and '-', at most {ResponseIds.MaxLength}).", "previous_response_id");
        }
        request.PreviousResponseId = reader.GetString();
        return null;
    }

    private static InspectionResult? ReadAdapter(ref Utf8JsonReader reader, InspectedRequest request, string field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (ReadName(ref reader, field, out var adapter) is { } badAdapter)
        {
            return badAdapter;
        }
        (request.Adapter, request.AdapterField) = (adapter, field);
        return null;
    }

    // A field the prompt estimate reads: valid text, and a batch of prompts no longer than MaxBatch.
    private static InspectionResult? ReadCounted(ref Utf8JsonReader reader, InspectedRequest request, string field)
    {
        // A list of strings or of token-id lists is a batch; a flat list of token ids is one prompt, however long. The
        // Responses API's input is one conversation.
        var batch = field is "prompt" or "input" && reader.TokenType == JsonTokenType.StartArray && !request.Operation.Anthropic
            && request.Operation != ClientApis.ApiOperation.Responses && HoldsPrompts(reader);
        var start = (int)reader.TokenStartIndex;
        if (!JsonUnicode.SkipChecked(ref reader, out var elements))
        {
            return NotUnicode;
        }
        if (field is "messages" or "prompt" || (field == "input" && request.Operation == ClientApis.ApiOperation.Responses))
        {
            request.PromptSpan = BodySpan.FromTo(start, (int)reader.BytesConsumed);
        }
        return batch && elements > MaxBatch ? InspectionResult.Invalid($"'{field}' holds more than {MaxBatch} items.", field) : null;
    }

    /// <summary>
    /// A model or adapter name: a string of at most <see cref="MaxModelNameLength"/> characters of valid Unicode.
    /// A longer one is refused without being decoded.
    /// </summary>
    private static InspectionResult? ReadName(ref Utf8JsonReader reader, string field, out string? value)
    {
        value = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            return InspectionResult.Invalid($"'{field}' must be a string.", field);
        }
        // Escaped, one character can take 12 bytes (a surrogate pair as two \uXXXX); unescaped, at most 4.
        if (reader.ValueSpan.Length > MaxModelNameLength * 12)
        {
            return TooLong(field);
        }
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8, or an escaped lone surrogate such as \ud800: no name can be made of it.
            return InspectionResult.Invalid($"'{field}' is not valid Unicode text.", field);
        }
        return value.Length > MaxModelNameLength ? TooLong(field) : null;
    }

    private static InspectionResult NotUnicode =>
        InspectionResult.Invalid("The request body holds a string that is not valid Unicode text (invalid UTF-8, or an unpaired surrogate escape such as \\ud800).", null);

    private static InspectionResult TooLong(string field) =>
        InspectionResult.Invalid($"'{field}' is longer than {MaxModelNameLength} characters.", field);

    // Inside stream_options: only include_usage matters to the gateway; everything else is skipped.
    private static InspectionResult? ReadStreamOptions(ref Utf8JsonReader reader, InspectedRequest request)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.Null))
        {
            return InspectionResult.Invalid("'stream_options' must be an object.", "stream_options");
        }
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        var start = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!JsonUnicode.IsValid(ref reader))
            {
                return NotUnicode;
            }
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (!isIncludeUsage)
            {
                if (!JsonUnicode.SkipChecked(ref reader))
                {
                    return NotUnicode;
                }
                continue;
            }
            if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
            {
                return InspectionResult.Invalid("'stream_options.include_usage' must be a boolean.", "stream_options");
            }
            request.IncludeUsage = reader.TokenType == JsonTokenType.Null ? null : reader.TokenType == JsonTokenType.True;
        }
        request.StreamOptionsSpan = new BodySpan(start, (int)reader.BytesConsumed - start);
        return null;
    }

    private static InspectionResult? ReadOptionalInt(ref Utf8JsonReader reader, string name, out int? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var number))
        {
            return InspectionResult.Invalid($"'{name}' must be an integer.", name);
        }
        value = number;
        return null;
    }
}
