using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmHost.Workload.Generation;

namespace LlmHost.Workload.Running;

/// <summary>
/// Sends one chat completion and times it as a user would feel it: time to the first content token, the gaps
/// between content chunks, the whole request. Answers are read to the end, and their text kept for the next turn.
/// </summary>
public sealed class RequestSender(HttpClient http, bool defaultStream, bool ignoreEos)
{
    private const int MaxErrorLength = 200;

    public async Task<RequestRecord> SendAsync(PlannedRequest plan, Uri baseUrl, double startMs, CancellationToken cancellationToken)
    {
        var stream = plan.Tenant.Group.Stream ?? defaultStream;
        var record = new RequestRecord { Tenant = plan.Tenant.Name, Group = plan.Tenant.Group.Name, Model = plan.Model, StartMs = startMs };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "v1/chat/completions"));
        request.Content = new ByteArrayContent(ChatRequestBody.Write(plan, stream, ignoreEos));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", plan.Tenant.ApiKey);
        if (plan.Tenant.Group.Priority is { } priority)
        {
            request.Headers.Add("x-llmhost-priority", priority);
        }
        var started = Stopwatch.GetTimestamp();
        var answer = new StringBuilder();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            record.Status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                record.Error = ErrorMessage(await response.Content.ReadAsStringAsync(cancellationToken));
            }
            else if (stream)
            {
                await ReadStreamAsync(response, record, answer, started, cancellationToken);
            }
            else
            {
                ReadAnswer(JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken)).RootElement, record, answer);
                record.TtftMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or TaskCanceledException)
        {
            record.Error = cancellationToken.IsCancellationRequested ? "cut at the end of the run" : Cut($"{ex.GetType().Name}: {ex.Message}");
        }
        record.E2eMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (record.Succeeded)
        {
            plan.Conversation.Complete(plan.Turn, answer.ToString());
        }
        return record;
    }

    private static async Task ReadStreamAsync(HttpResponseMessage response, RequestRecord record, StringBuilder answer, long started, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        var last = 0L;
        var chunks = 0;
        var done = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }
            var data = line.AsSpan(5).Trim();
            if (data.SequenceEqual("[DONE]"))
            {
                done = true;
                break;
            }
            using var chunk = JsonDocument.Parse(data.ToString());
            var root = chunk.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                record.Error = Cut(error.TryGetProperty("message", out var message) ? message.ToString() : error.ToString());
                return;
            }
            ReadUsage(root, record);
            if (!root.TryGetProperty("choices", out var choices) || choices.GetArrayLength() == 0
                || !choices[0].TryGetProperty("delta", out var delta) || !delta.TryGetProperty("content", out var content)
                || content.ValueKind != JsonValueKind.String || content.GetString() is not { Length: > 0 } text)
            {
                continue;
            }
            var now = Stopwatch.GetTimestamp();
            if (chunks++ == 0)
            {
                record.TtftMs = Stopwatch.GetElapsedTime(started, now).TotalMilliseconds;
            }
            else
            {
                record.Gaps.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
            }
            last = now;
            answer.Append(text);
        }
        if (record.OutputTokens == 0)
        {
            record.OutputTokens = chunks;
        }
        if (chunks == 0)
        {
            record.Error = "the stream carried no content";
        }
        else if (!done)
        {
            record.Error = "the stream ended without [DONE]";
        }
    }

    private static void ReadAnswer(JsonElement root, RequestRecord record, StringBuilder answer)
    {
        ReadUsage(root, record);
        if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("message", out var message) && message.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.String)
        {
            answer.Append(content.GetString());
        }
    }

    private static void ReadUsage(JsonElement root, RequestRecord record)
    {
        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        record.PromptTokens = Int(usage, "prompt_tokens");
        record.OutputTokens = Int(usage, "completion_tokens");
        if (usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object)
        {
            record.CachedTokens = Int(details, "cached_tokens");
        }
    }

    private static int Int(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : 0;

    private static string ErrorMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                return Cut(error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) ? message.ToString() : error.ToString());
            }
        }
        catch (JsonException)
        {
        }
        return Cut(body);
    }

    private static string Cut(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength] + "…";
}
