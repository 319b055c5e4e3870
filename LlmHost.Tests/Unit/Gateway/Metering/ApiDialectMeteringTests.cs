using System.Diagnostics;
using System.Text;
using LlmHost.Gateway.Metering;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Unit.Gateway.Metering;

/// <summary>Metering the Responses API's and Anthropic's answers, streamed and whole, cut at every byte.</summary>
[Trait("Category", "Unit")]
public class ApiDialectMeteringTests
{
    private const string ResponsesStream =
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_abc123\",\"object\":\"response\",\"status\":\"in_progress\",\"model\":\"m\",\"output\":[],\"usage\":null}}\n\n" +
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hello\"}\n\n" +
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\" world\"}\n\n" +
        "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"sequence_number\":3,\"text\":\"Hello world\"}\n\n" +
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":4,\"response\":{\"id\":\"resp_abc123\",\"status\":\"incomplete\",\"output\":[{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hello world\"}]}],"
        + "\"usage\":{\"input_tokens\":11,\"input_tokens_details\":{\"cached_tokens\":4},\"output_tokens\":2,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":13}}}\n\n";

    private const string MessagesStream =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,"
        + "\"usage\":{\"input_tokens\":5,\"output_tokens\":1,\"cache_creation_input_tokens\":2,\"cache_read_input_tokens\":3}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
        "event: ping\ndata: {\"type\":\"ping\"}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" there\"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"!\"}}\n\n" +
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private static async Task<(string Output, CompletionMeasurement Measurement, List<string> Announced)> Run(string contentType, string body, int splitAt,
        string operation = "responses")
    {
        var context = new DefaultHttpContext();
        context.Response.ContentType = contentType;
        var output = new MemoryStream();
        var announced = new List<string>();
        var measurement = new CompletionMeasurement("m", stream: contentType.Contains("event-stream"), Stopwatch.GetTimestamp())
        {
            Operation = operation,
            KeepsResponseId = true,
            // What the client has seen when the id is announced: nothing of the bytes that carry it.
            OnResponseId = id =>
            {
                announced.Add($"{id}@{output.Length}");
                return ValueTask.CompletedTask;
            },
        };
        var bytes = Encoding.UTF8.GetBytes(body);
        await using (var metering = new MeteringStream(output, context.Response, measurement, stripUsageChunk: false))
        {
            await metering.WriteAsync(bytes.AsMemory(0, splitAt));
            await metering.WriteAsync(bytes.AsMemory(splitAt));
            await metering.CompleteAsync(CancellationToken.None);
        }
        return (Encoding.UTF8.GetString(output.ToArray()), measurement, announced);
    }

    [Fact]
    public async Task ResponsesStream_EverySplitPoint_UsageIdAndStatusRead()
    {
        for (var split = 0; split <= ResponsesStream.Length; split += 7)
        {
            var (output, measurement, announced) = await Run("text/event-stream", ResponsesStream, split);

            Assert.Equal(ResponsesStream, output);
            Assert.Equal(UsageSource.Reported, measurement.Source);
            Assert.Equal((11, 2, 13, 4), (measurement.PromptTokens, measurement.CompletionTokens, measurement.TotalTokens, measurement.CachedPromptTokens));
            Assert.Equal("resp_abc123", measurement.ResponseId);
            Assert.Equal(["resp_abc123@0"], announced);
            Assert.Equal(["length"], FinishReasonNames.Names(measurement.FinishReasons));
        }
    }

    [Fact]
    public async Task ResponsesStream_CutBeforeCompleted_DeltasCounted()
    {
        var cut = ResponsesStream[..ResponsesStream.IndexOf("event: response.completed", StringComparison.Ordinal)];

        var (_, measurement, _) = await Run("text/event-stream", cut, 50);

        Assert.Equal(UsageSource.Counted, measurement.Source);
        Assert.Equal(2, measurement.CompletionTokens);
    }

    [Fact]
    public async Task MessagesStream_EverySplitPoint_WholePromptCacheAndStopReason()
    {
        for (var split = 0; split <= MessagesStream.Length; split += 7)
        {
            var (output, measurement, _) = await Run("text/event-stream", MessagesStream, split);

            Assert.Equal(MessagesStream, output);
            // Anthropic's input_tokens leave out cache reads and writes: the whole prompt is 5 + 2 + 3.
            Assert.Equal((10, 3, 3), (measurement.PromptTokens, measurement.CompletionTokens, measurement.CachedPromptTokens));
            Assert.Equal(["length"], FinishReasonNames.Names(measurement.FinishReasons));
            Assert.False(measurement.StreamError);
        }
    }

    [Fact]
    public async Task MessagesStream_CutBeforeMessageDelta_OutputCountedNotTheStartsPlaceholder()
    {
        var cut = MessagesStream[..MessagesStream.IndexOf("event: message_delta", StringComparison.Ordinal)];

        var (_, measurement, _) = await Run("text/event-stream", cut, 100);

        Assert.Equal(UsageSource.Counted, measurement.Source);
        Assert.Equal(3, measurement.CompletionTokens);
        Assert.Equal(10, measurement.ReportedPromptTokens);
        Assert.Equal(13, measurement.TokensCharged);
    }

    [Fact]
    public async Task ResponsesStream_EventLongerThanTheHoldLimit_UsageAndIdStillRead()
    {
        var instructions = new string('i', MeteringStream.MaxPendingEvent + 4096);
        var stream = ResponsesStream
            .Replace("\"status\":\"in_progress\"", $"\"instructions\":\"{instructions}\",\"status\":\"in_progress\"")
            .Replace("\"status\":\"incomplete\"", $"\"instructions\":\"{instructions}\",\"status\":\"incomplete\"");
        foreach (var split in new[] { 10, 300, stream.Length / 3, stream.Length / 2, stream.Length - 100 })
        {
            var (output, measurement, announced) = await Run("text/event-stream", stream, split);

            Assert.Equal(stream.Length, output.Length);
            Assert.Equal(UsageSource.Reported, measurement.Source);
            Assert.Equal((11, 2, 4), (measurement.PromptTokens, measurement.CompletionTokens, measurement.CachedPromptTokens));
            Assert.Equal(["resp_abc123@0"], announced);
        }
    }

    [Fact]
    public async Task ChatStream_CutBeforeUsage_PlainTokenChunksCountedLikeReadOnes()
    {
        const string chat =
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n" +
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}\n\n" +
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":null}]}\n\n" +
            // Two choices in one chunk: read whole, two tokens.
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c\"}},{\"index\":1,\"delta\":{\"content\":\"d\"}}]}\n\n" +
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"e\"},\"finish_reason\":\"length\"}]}\n\n";
        var (_, measurement, _) = await Run("text/event-stream", chat, chat.Length, operation: "chat");

        Assert.Equal(UsageSource.Counted, measurement.Source);
        Assert.Equal(5, measurement.CompletionTokens);
        Assert.Equal(["length"], FinishReasonNames.Names(measurement.FinishReasons));
    }

    [Fact]
    public async Task ChatStream_UsageNullOnEveryChunk_CountedAsReadingEachWouldCount()
    {
        static string Chunk(string content, string finish = "null") =>
            $"data: {{\"id\":\"c\",\"created\":1,\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{content}\"}},\"finish_reason\":{finish}}}],\"usage\":null}}\n\n";
        var chat = Chunk("") + Chunk("a") + Chunk("b") + Chunk("\\\"quoted\\\"") + Chunk("") + Chunk("c") + Chunk("d", "\"stop\"")
            + "data: {\"id\":\"c\",\"created\":1,\"choices\":[],\"usage\":null}\n\n";
        foreach (var split in new[] { 0, 40, chat.Length / 2, chat.Length })
        {
            var (output, measurement, _) = await Run("text/event-stream", chat, split, operation: "chat");

            Assert.Equal(chat, output);
            Assert.Equal(UsageSource.Counted, measurement.Source);
            Assert.Equal(5, measurement.CompletionTokens);
            Assert.Equal(["stop"], FinishReasonNames.Names(measurement.FinishReasons));
        }
    }

    [Fact]
    public async Task ChatStream_ChunksWithTwoGeneratedStrings_EachReadWhole()
    {
        // Reasoning and content in one chunk count two tokens: such a chunk teaches no shape, so the next ones,
        // alike but for their content, are read whole too.
        const string chunk = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"r\",\"content\":\"VALUE\"},\"finish_reason\":null}]}\n\n";
        var chat = chunk.Replace("VALUE", "a") + chunk.Replace("VALUE", "b") + chunk.Replace("VALUE", "c");

        var (_, measurement, _) = await Run("text/event-stream", chat, chat.Length, operation: "chat");

        Assert.Equal(6, measurement.CompletionTokens);
    }

    [Fact]
    public async Task ChatStream_SpacedJsonOrEmptyDeltas_ReadWholeNotGuessed()
    {
        const string chat =
            "data: {\"id\": \"c\", \"choices\": [{\"index\": 0, \"delta\": {\"content\": \"x\"}, \"finish_reason\": \"stop\"}]}\n\n" +
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":null}]}\n\n" +
            "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":null},\"finish_reason\":null}]}\n\n";
        var (_, measurement, _) = await Run("text/event-stream", chat, chat.Length, operation: "chat");

        Assert.Equal(1, measurement.CompletionTokens);
        Assert.Equal(["stop"], FinishReasonNames.Names(measurement.FinishReasons));
    }

    [Fact]
    public async Task ResponsesStream_FailedEventLongerThanTheHoldLimit_FlaggedAsAnError()
    {
        var failed = "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"id\":\"resp_f\",\"instructions\":\""
            + new string('i', MeteringStream.MaxPendingEvent + 10) + "\",\"status\":\"failed\"}}\n\n";

        var (_, measurement, _) = await Run("text/event-stream", failed, failed.Length - 30);

        Assert.True(measurement.StreamError);
    }

    [Fact]
    public async Task MessagesStream_ErrorEvent_Flagged()
    {
        var (_, measurement, _) = await Run("text/event-stream",
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", 10);

        Assert.True(measurement.StreamError);
    }

    [Fact]
    public async Task WholeAnswers_EverySplitPoint_BothDialectsRead()
    {
        const string response = """{"id":"resp_x1","object":"response","status":"completed","model":"m","output":[{"type":"message","content":[{"type":"output_text","text":"Hi"}]}],"usage":{"input_tokens":9,"input_tokens_details":{"cached_tokens":0},"output_tokens":1,"total_tokens":10}}""";
        const string message = """{"id":"msg_1","type":"message","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":4,"output_tokens":6,"cache_read_input_tokens":8}}""";
        for (var split = 0; split <= message.Length; split += 5)
        {
            var (_, responses, announced) = await Run("application/json", response, Math.Min(split, response.Length));
            var (_, messages, _) = await Run("application/json", message, split);

            Assert.Equal((9, 1, 10), (responses.PromptTokens, responses.CompletionTokens, responses.TotalTokens));
            Assert.Equal("resp_x1", responses.ResponseId);
            Assert.Single(announced);
            Assert.Equal(["stop"], FinishReasonNames.Names(responses.FinishReasons));
            Assert.Equal((12, 6, 8), (messages.PromptTokens, messages.CompletionTokens, messages.CachedPromptTokens));
            Assert.Equal(["stop"], FinishReasonNames.Names(messages.FinishReasons));
        }
    }

    [Fact]
    public async Task ResponseId_NotAnIdTheGatewayWouldAccept_NotKept()
    {
        var (_, measurement, announced) = await Run("application/json", """{"id":"resp_\n../../x","usage":{"input_tokens":1,"output_tokens":1}}""", 3);

        Assert.Null(measurement.ResponseId);
        Assert.Empty(announced);
    }
}
