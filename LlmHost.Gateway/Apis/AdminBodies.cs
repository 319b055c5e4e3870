using System.Text.Json;
using LlmHost.Gateway.Apis.Contracts;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Keys;

namespace LlmHost.Gateway.Apis;

/// <summary>Reading an admin request's JSON body (bounded, every problem a 400) and writing an edit's answer.</summary>
internal static class AdminBodies
{
    /// <summary>Largest admin request body: a key's settings fit in far less.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static async Task<T?> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await OpenAIErrors.PayloadTooLargeAsync(context, MaxBodyBytes);
            return null;
        }
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }
        try
        {
            if (await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted) is { } value)
            {
                return value;
            }
        }
        catch (JsonException ex)
        {
            await OpenAIErrors.BadRequestAsync(context,
                $"The body is not valid JSON for this route ({Utilities.ClientText.Bound(ex.Path ?? "$")}: {Utilities.ClientText.Bound(ex.Message.Split(". ")[0])}).");
            return null;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await OpenAIErrors.PayloadTooLargeAsync(context, MaxBodyBytes);
            return null;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or a lone surrogate escape in a string.
            await OpenAIErrors.BadRequestAsync(context, "The body holds a string that is not valid Unicode text.");
            return null;
        }
        await OpenAIErrors.BadRequestAsync(context, "The body must be a JSON object.");
        return null;
    }

    public static async Task WriteAsync(HttpContext context, EditResult result)
    {
        if (!result.Succeeded)
        {
            await OpenAIErrors.WriteAsync(context, result.Status, result.Error!, result.Status >= 500 ? OpenAIErrors.ServerError : OpenAIErrors.InvalidRequest,
                result.Status switch
                {
                    StatusCodes.Status404NotFound => "key_not_found",
                    StatusCodes.Status409Conflict => "conflict",
                    StatusCodes.Status503ServiceUnavailable => "key_file_busy",
                    _ => null,
                });
            return;
        }
        context.Response.StatusCode = result.Status;
        switch (result.Value)
        {
            case KeyWithSecret withSecret:
                await context.Response.WriteAsJsonAsync(withSecret, AdminJsonContext.Default.KeyWithSecret);
                break;
            case KeyView view:
                await context.Response.WriteAsJsonAsync(view, AdminJsonContext.Default.KeyView);
                break;
        }
    }
}
