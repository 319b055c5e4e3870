using System.Diagnostics;
using System.Text;
using LlmHost.Gateway.Metering;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Unit.Gateway.Metering;

/// <summary>The metering stream on answers cut into pieces at every possible byte.</summary>
[Trait("Category", "Unit")]
public class MeteringStreamTests
{
    private const string Stream =
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n" +
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n" +
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"total_tokens\":9,\"completion_tokens\":2}}\n\n" +
        "data: [DONE]\n\n";

    private const string UsageEvent = "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"total_tokens\":9,\"completion_tokens\":2}}\n\n";

    private static async Task<(string Output, CompletionMeasurement Measurement)> Run(string contentType, string body, bool strip, int splitAt)
    {
        var context = new DefaultHttpContext();
        context.Response.ContentType = contentType;
        var output = new MemoryStream();
        var measurement = new CompletionMeasurement("m", stream: contentType.Contains("event-stream"), Stopwatch.GetTimestamp()) { Traced = true };
        var bytes = Encoding.UTF8.GetBytes(body);
        await using (var metering = new MeteringStream(output, context.Response, measurement, strip))
        {
            await metering.WriteAsync(bytes.AsMemory(0, splitAt));
            await metering.WriteAsync(bytes.AsMemory(splitAt));
            await metering.CompleteAsync(CancellationToken.None);
        }
        return (Encoding.UTF8.GetString(output.ToArray()), measurement);
    }

    [Fact]
    public async Task Sse_EverySplitPoint_StripsUsageChunkAndMeters()
    {
        for (var split = 0; split <= Stream.Length; split++)
        {
            var (output, measurement) = await Run("text/event-stream", Stream, strip: true, split);

            Assert.Equal(Stream.Replace(UsageEvent, ""), output);
            Assert.Equal(UsageSource.Reported, measurement.Source);
            Assert.Equal((7, 2, 9), (measurement.PromptTokens, measurement.CompletionTokens, measurement.TotalTokens));
            Assert.NotNull(measurement.FirstByteTimestamp);
        }
    }

    [Fact]
    public async Task Sse_NotStripping_PassesEveryByte()
    {
        var (output, measurement) = await Run("text/event-stream", Stream, strip: false, 100);

        Assert.Equal(Stream, output);
        Assert.Equal(2, measurement.CompletionTokens);
    }

    [Fact]
    public async Task Sse_NoUsageChunk_CountsContentDeltas()
    {
        var (_, measurement) = await Run("text/event-stream", Stream.Replace(UsageEvent, ""), strip: true, 37);

        Assert.Equal(UsageSource.Counted, measurement.Source);
        Assert.Equal(2, measurement.CompletionTokens);
        Assert.Equal(0, measurement.PromptTokens);
    }

    [Fact]
    public async Task Json_EverySplitPoint_FindsTopLevelUsageOnly()
    {
        const string Body = """{"id":"x","choices":[{"message":{"content":"usage: {\"prompt_tokens\":99}"},"usage":{"prompt_tokens":55}}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":null},"system_fingerprint":null}""";
        for (var split = 0; split <= Body.Length; split++)
        {
            var (output, measurement) = await Run("application/json", Body, strip: true, split);

            Assert.Equal(Body, output);
            Assert.Equal((12, 3, 15), (measurement.PromptTokens, measurement.CompletionTokens, measurement.TotalTokens));
        }
    }

    [Fact]
    public async Task Json_EverySplitPoint_FindsResponseModelAndFinishReasonsOfTheChoicesOnly()
    {
        const string Body = """{"id":"x","model":"served-name","choices":[{"message":{"content":"x","finish_reason":"fake"},"finish_reason":"length"},{"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":1,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":64}}}""";
        for (var split = 0; split <= Body.Length; split++)
        {
            var (_, measurement) = await Run("application/json", Body, strip: true, split);

            Assert.Equal("served-name", measurement.ResponseModel);
            Assert.Equal(["length", "tool_calls"], FinishReasonNames.Names(measurement.FinishReasons));
            Assert.Equal(64, measurement.CachedPromptTokens);
        }
    }

    [Fact]
    public async Task FinishReasons_SeveralChoices_OnePerChoiceInArrivalOrderWithDuplicates()
    {
        const string Json = """{"choices":[{"index":0,"finish_reason":"stop"},{"index":1,"finish_reason":"length"},{"index":2,"finish_reason":"stop"}]}""";
        const string Sse = "data: {\"choices\":[{\"index\":1,\"delta\":{\"content\":\"a\"},\"finish_reason\":\"length\"}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"choices\":[{\"index\":2,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

        var (_, whole) = await Run("application/json", Json, strip: true, 20);
        var (_, streamed) = await Run("text/event-stream", Sse, strip: true, 30);

        Assert.Equal(["stop", "length", "stop"], FinishReasonNames.Names(whole.FinishReasons));
        Assert.Equal(["length", "stop", "stop"], FinishReasonNames.Names(streamed.FinishReasons));
    }

    [Fact]
    public void FinishReasonList_BeyondCapacity_KeepsTheFirstAndIgnoresNone()
    {
        var list = new FinishReasonList().Add(FinishReasons.None);
        for (var i = 0; i < FinishReasonList.Capacity + 5; i++)
        {
            list = list.Add(i % 2 == 0 ? FinishReasons.Other : FinishReasons.FunctionCall);
        }

        Assert.Equal(FinishReasonList.Capacity, list.Count);
        Assert.Equal((FinishReasons.Other, FinishReasons.FunctionCall), (list[0], list[FinishReasonList.Capacity - 1]));
    }

    [Fact]
    public async Task Sse_FinishReasonAndModel_FromTheChunks()
    {
        var (_, measurement) = await Run("text/event-stream", Stream.Replace("\"id\":\"c\",", "\"id\":\"c\",\"model\":\"m\",")
            .Replace("\"completion_tokens\":2}", "\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":5}}"), strip: true, 50);

        Assert.Equal(["stop"], FinishReasonNames.Names(measurement.FinishReasons));
        Assert.Same(measurement.Model, measurement.ResponseModel); // the request's own string, not a copy
        Assert.Equal(["stop"], FinishReasonNames.Names(measurement.FinishReasons));
        Assert.Equal((7, 5), (measurement.PromptTokens, measurement.CachedPromptTokens));
    }

    [Theory]
    [InlineData("application/json", """{"model":"\ud83d","choices":[{"finish_reason":"\udc00"}],"usage":{"prompt_tokens":3}}""")]
    [InlineData("application/json", """{"\ud83d":1,"usage":{"prompt_tokens":3}}""")]
    [InlineData("text/event-stream", "data: {\"model\":\"\\ud83d\",\"choices\":[{\"delta\":{\"content\":\"a\"},\"finish_reason\":\"\\udc00\"}]}\n\ndata: [DONE]\n\n")]
    public async Task HostileStrings_LoneSurrogates_AnswerPassesWhole(string contentType, string body)
    {
        var context = new DefaultHttpContext();
        context.Response.ContentType = contentType;
        var output = new MemoryStream();
        var measurement = new CompletionMeasurement("m", stream: contentType.Contains("event-stream"), Stopwatch.GetTimestamp()) { Traced = true };
        await using (var metering = new MeteringStream(output, context.Response, measurement, stripUsageChunk: false))
        {
            await metering.WriteAsync(Encoding.UTF8.GetBytes(body));
            await metering.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal(body, Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public async Task ErrorEvent_IsFlagged()
    {
        var (_, measurement) = await Run("text/event-stream", "data: {\"error\":{\"message\":\"boom\"}}\n\ndata: [DONE]\n\n", strip: true, 5);

        Assert.True(measurement.StreamError);
    }

    [Theory]
    [InlineData("\r\n\r\n")]
    [InlineData("\r\r")]
    [InlineData("\n\r\n")]
    public async Task Sse_OtherLineEndings_EverySplitPoint_StripsUsageChunkAndMeters(string eventEnd)
    {
        var stream = Stream.Replace("\n\n", eventEnd);
        var usage = UsageEvent.Replace("\n\n", eventEnd);
        for (var split = 0; split <= stream.Length; split++)
        {
            var (output, measurement) = await Run("text/event-stream", stream, strip: true, split);

            Assert.Equal(stream.Replace(usage, ""), output);
            Assert.Equal(UsageSource.Reported, measurement.Source);
            Assert.Equal((7, 2, 9), (measurement.PromptTokens, measurement.CompletionTokens, measurement.TotalTokens));
        }
    }

    [Fact]
    public async Task Sse_EventOnSeveralDataLines_IsJoinedAndRead()
    {
        const string Split = "event: message\r\ndata: {\"id\":\"c\",\"choices\":[],\r\ndata: \"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1,\"total_tokens\":5}}\r\n\r\ndata: [DONE]\r\n\r\n";

        var (output, measurement) = await Run("text/event-stream", Split, strip: false, 7);

        Assert.Equal(Split, output);
        Assert.Equal((4, 1, 5), (measurement.PromptTokens, measurement.CompletionTokens, measurement.TotalTokens));
    }

    [Fact]
    public async Task Sse_EventLongerThanTheCap_PassesThroughUnheld()
    {
        var huge = "data: {\"pad\":\"" + new string('x', MeteringStream.MaxPendingEvent + 10) + "\"}\n\n";
        var body = huge + UsageEvent + "data: [DONE]\n\n";
        var context = new DefaultHttpContext();
        context.Response.ContentType = "text/event-stream";
        var output = new MemoryStream();
        var measurement = new CompletionMeasurement("m", stream: true, Stopwatch.GetTimestamp());
        var bytes = Encoding.UTF8.GetBytes(body);
        await using (var metering = new MeteringStream(output, context.Response, measurement, stripUsageChunk: true))
        {
            for (var i = 0; i < bytes.Length; i += 64 * 1024)
            {
                await metering.WriteAsync(bytes.AsMemory(i, Math.Min(64 * 1024, bytes.Length - i)));
                // Never more than the cap (and one write) held back.
                Assert.True(i + 64 * 1024 - output.Length <= MeteringStream.MaxPendingEvent + 64 * 1024);
            }
            await metering.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal(huge + "data: [DONE]\n\n", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal(UsageSource.Reported, measurement.Source);
    }

    [Fact]
    public async Task Sse_NoUsageChunk_CountsReasoningToolArgumentsAndRefusalDeltasToo()
    {
        const string Deltas =
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"think\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"more\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"no\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"}}]}\n\n" +
            "data: [DONE]\n\n";

        var (_, measurement) = await Run("text/event-stream", Deltas, strip: true, 11);

        Assert.Equal(UsageSource.Counted, measurement.Source);
        Assert.Equal(4, measurement.CompletionTokens);
    }
}
