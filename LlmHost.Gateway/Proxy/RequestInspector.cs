using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Reads a completion request body once, bounded by <c>gateway.max_request_body_mb</c>, and picks out the
/// top-level fields with <see cref="Utf8JsonReader"/> (no DOM, no per-field allocation except <c>model</c>).
/// </summary>
public static class RequestInspector
{
    private const int InitialBufferSize = 16 * 1024;

    public static async Task<InspectionResult> ReadAsync(HttpContext context, long maxBytes)
    {
        var declared = context.Request.ContentLength;
        if (declared > maxBytes)
        {
            return InspectionResult.TooLarge;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(declared is > 0 ? (int)declared.Value : InitialBufferSize);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= maxBytes + 1)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return InspectionResult.TooLarge;
                    }
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, maxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return InspectionResult.TooLarge;
                }
            }
        }
        catch (Exception ex) when (ex is BadHttpRequestException or OperationCanceledException or IOException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                ? InspectionResult.TooLarge
                : InspectionResult.Invalid("The request body could not be read.", null);
        }

        var request = new InspectedRequest(buffer, length);
        if (Parse(request) is { } error)
        {
            request.Dispose();
            return error;
        }
        return InspectionResult.Ok(request);
    }

    private static InspectionResult? Parse(InspectedRequest request)
    {
        if (request.Length == 0)
        {
            return InspectionResult.Invalid("The request body must be a JSON object.", null);
        }
        var reader = new Utf8JsonReader(request.Body.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        string? model = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return InspectionResult.Invalid("The request body must be a JSON object.", null);
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        return InspectionResult.Invalid("'model' must be a string.", "model");
                    }
                    model = reader.GetString();
                    request.ModelSpan = new BodySpan((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                    {
                        return InspectionResult.Invalid("'stream' must be a boolean.", "stream");
                    }
                    request.Stream = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.Null))
                    {
                        return InspectionResult.Invalid("'stream_options' must be an object.", "stream_options");
                    }
                    if (reader.TokenType == JsonTokenType.StartObject)
                    {
                        var start = (int)reader.TokenStartIndex;
                        if (ReadStreamOptions(ref reader, request) is { } bad)
                        {
                            return bad;
                        }
                        request.StreamOptionsSpan = new BodySpan(start, (int)reader.BytesConsumed - start);
                    }
                }
                else if (reader.ValueTextEquals("max_tokens"u8))
                {
                    if (ReadOptionalInt(ref reader, "max_tokens", out var value) is { } bad)
                    {
                        return bad;
                    }
                    request.MaxTokens = value;
                }
                else if (reader.ValueTextEquals("max_completion_tokens"u8))
                {
                    if (ReadOptionalInt(ref reader, "max_completion_tokens", out var value) is { } bad)
                    {
                        return bad;
                    }
                    request.MaxCompletionTokens = value;
                }
                else if (reader.ValueTextEquals("n"u8))
                {
                    if (ReadOptionalInt(ref reader, "n", out var value) is { } bad)
                    {
                        return bad;
                    }
                    request.N = value;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return InspectionResult.Invalid("The request body is not valid JSON: unexpected content after the object.", null);
            }
            request.ClosingBrace = (int)reader.TokenStartIndex;
            if (reader.Read())
            {
                return InspectionResult.Invalid("The request body is not valid JSON: unexpected content after the object.", null);
            }
        }
        catch (JsonException ex)
        {
            return InspectionResult.Invalid($"The request body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).", null);
        }

        if (string.IsNullOrEmpty(model))
        {
            return InspectionResult.Invalid("You must provide a model parameter.", "model");
        }
        request.Model = model;
        return null;
    }

    // Inside stream_options: only include_usage matters to the gateway; everything else is skipped.
    private static InspectionResult? ReadStreamOptions(ref Utf8JsonReader reader, InspectedRequest request)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                {
                    return InspectionResult.Invalid("'stream_options.include_usage' must be a boolean.", "stream_options");
                }
                request.IncludeUsage = reader.TokenType == JsonTokenType.Null ? null : reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Skip();
            }
        }
        return null;
    }

    private static InspectionResult? ReadOptionalInt(ref Utf8JsonReader reader, string name, out int? value)
    {
        value = null;
        reader.Read();
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

/// <summary>What inspection found: a usable request, or why the gateway must refuse it.</summary>
public readonly record struct InspectionResult(InspectedRequest? Request, bool IsTooLarge, string? Error, string? Param)
{
    public static InspectionResult TooLarge => new(null, true, null, null);

    public static InspectionResult Ok(InspectedRequest request) => new(request, false, null, null);

    public static InspectionResult Invalid(string error, string? param) => new(null, false, error, param);
}
