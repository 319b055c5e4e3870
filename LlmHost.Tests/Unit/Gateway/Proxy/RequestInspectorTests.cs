using System.Text;
using LlmHost.Gateway.Proxy;
using LlmHost.Gateway.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Unit.Gateway.Proxy;

[Trait("Category", "Unit")]
public class RequestInspectorTests
{
    private static Task<InspectionResult> Inspect(string body, long max = 1024, bool declareLength = true)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = declareLength ? bytes.Length : null;
        return new RequestInspector().ReadAsync(context, max).AsTask();
    }

    [Fact]
    public async Task ReadAsync_ValidBody_ExtractsFieldsAndKeepsBytes()
    {
        const string Body = """{"messages":[{"role":"user","content":"x"}],"model":"m","stream":true,"stream_options":{"include_usage":false},"max_tokens":5,"max_completion_tokens":7,"n":2,"extra":{"a":[1,2]}}""";

        var result = await Inspect(Body);

        using var request = Assert.IsType<InspectedRequest>(result.Request);
        Assert.Equal("m", request.Model);
        Assert.True(request.Stream);
        Assert.True(request.HasStreamOptions);
        Assert.Equal(5, request.MaxTokens);
        Assert.Equal(7, request.MaxCompletionTokens);
        Assert.Equal(2, request.N);
        Assert.Equal(Body, Encoding.UTF8.GetString(request.Body.Span));
        Assert.Equal(Body, new StreamReader(request.OpenBody()).ReadToEnd());
    }

    [Fact]
    public async Task ReadAsync_PromptAndUser_SpansOfTheirValues_AHugeUserNamesNoSession()
    {
        const string Body = """{"model":"m","messages":[{"role":"user","content":"x"}],"user":"u-1"}""";
        var huge = $$"""{"model":"m","prompt":"p","user":"{{new string('u', 300)}}","user2":1}""";

        using var request = Assert.IsType<InspectedRequest>((await Inspect(Body)).Request);
        using var hugeUser = Assert.IsType<InspectedRequest>((await Inspect(huge)).Request);

        Assert.Equal("""[{"role":"user","content":"x"}]""", Encoding.UTF8.GetString(request.Body.Span.Slice(request.PromptSpan.Start, request.PromptSpan.Length)));
        Assert.Equal("\"u-1\"", Encoding.UTF8.GetString(request.Body.Span.Slice(request.UserSpan.Start, request.UserSpan.Length)));
        Assert.Equal("\"p\"", Encoding.UTF8.GetString(hugeUser.Body.Span.Slice(hugeUser.PromptSpan.Start, hugeUser.PromptSpan.Length)));
        Assert.Equal(0, hugeUser.UserSpan.Length);
        Assert.Equal("The field 'user' appears more than once.", (await Inspect("""{"model":"m","user":"a","user":"b"}""")).Error);
    }

    [Theory]
    [InlineData("""{"messages":[]}""", "You must provide a model parameter.", "model")]
    [InlineData("""{"model":""}""", "You must provide a model parameter.", "model")]
    [InlineData("""{"model":5}""", "'model' must be a string.", "model")]
    [InlineData("""{"model":"m","stream":"yes"}""", "'stream' must be a boolean.", "stream")]
    [InlineData("""{"model":"m","max_tokens":1.5}""", "'max_tokens' must be an integer.", "max_tokens")]
    [InlineData("""{"model":"m","n":"2"}""", "'n' must be an integer.", "n")]
    [InlineData("""{"model":"m","stream_options":true}""", "'stream_options' must be an object.", "stream_options")]
    [InlineData("""[1,2]""", "The request body must be a JSON object.", null)]
    [InlineData("", "The request body must be a JSON object.", null)]
    public async Task ReadAsync_InvalidField_ExplainsWhich(string body, string error, string? param)
    {
        var result = await Inspect(body);

        Assert.Null(result.Request);
        Assert.Equal(error, result.Error);
        Assert.Equal(param, result.Param);
    }

    [Theory]
    [InlineData("""{"model":"m",""")]
    [InlineData("""{"model":"m"} trailing""")]
    [InlineData("""{"model":'m'}""")]
    public async Task ReadAsync_MalformedJson_IsInvalid(string body)
    {
        var result = await Inspect(body);

        Assert.Null(result.Request);
        Assert.StartsWith("The request body is not valid JSON", result.Error);
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthOverLimit_IsTooLargeWithoutReading()
    {
        var result = await Inspect(new string(' ', 2000), max: 1000);

        Assert.Equal(InspectionFailure.TooLarge, result.Failure);
    }

    [Fact]
    public async Task ReadAsync_ChunkedBodyOverLimit_IsTooLarge()
    {
        var body = "{\"model\":\"m\",\"pad\":\"" + new string('x', 5000) + "\"}";

        var result = await Inspect(body, max: 4096, declareLength: false);

        Assert.Equal(InspectionFailure.TooLarge, result.Failure);
    }

    [Fact]
    public async Task ReadAsync_ChunkedBodyUnderLimit_GrowsBuffer()
    {
        var body = "{\"pad\":\"" + new string('x', 40_000) + "\",\"model\":\"m\"}";

        var result = await Inspect(body, max: 100_000, declareLength: false);

        Assert.Equal("m", result.Request!.Model);
        Assert.Equal(body.Length, result.Request.Length);
    }

    [Fact]
    public async Task ReadAsync_AnnouncedSizeFarAboveTheBody_AllocatesForWhatArrives()
    {
        // A client announcing 16 MiB and sending a few bytes holds a small buffer, not 16 MiB.
        var bytes = Encoding.UTF8.GetBytes("""{"model":"m"}""");
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = 16 * 1024 * 1024;
        var budget = new RequestBodyBudget(TestConfig.Monitor());
        using var lease = budget.Open("k");

        var result = await new RequestInspector().ReadAsync(context, 16 * 1024 * 1024, lease);

        using var request = Assert.IsType<InspectedRequest>(result.Request);
        Assert.Equal(16 * 1024, lease.Held);
        Assert.Equal(16 * 1024, budget.Total);
    }

    [Fact]
    public async Task ReadAsync_KeyBudgetSpent_IsRefusedBeforeReadingMore()
    {
        var budget = new RequestBodyBudget(TestConfig.Monitor("gateway: { max_request_body_mb: 1, max_buffered_body_mb: 8, max_buffered_body_per_key_mb: 1 }"));
        using var first = budget.Open("k");
        Assert.Equal(LlmHost.Gateway.RateLimiting.LimitKind.None, first.TryGrow(1024 * 1024 - 1000));
        using var second = budget.Open("k");
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("{\"model\":\"m\",\"pad\":\"" + new string('x', 20_000) + "\"}"));

        var result = await new RequestInspector().ReadAsync(context, 1024 * 1024, second);

        Assert.Equal(InspectionFailure.OverBudget, result.Failure);
        Assert.Equal(LlmHost.Gateway.RateLimiting.LimitKind.BodyBytes, result.Budget);
        second.Dispose();
        first.Dispose();
        Assert.Equal(0, budget.Total);
        Assert.Equal(0, budget.Of("k"));
    }

    [Theory]
    [InlineData("""{"model":"a","model":"b"}""", "model")]
    [InlineData("""{"model":"a","stream":true,"stream":false}""", "stream")]
    [InlineData("""{"model":"a","max_tokens":1,"max_tokens":100000}""", "max_tokens")]
    [InlineData("""{"model":"a","lora_path":"x","lora_path":"y"}""", "lora_path")]
    [InlineData("""{"model":"a","mod\u0065l":"b"}""", "model")]
    [InlineData("""{"model":"a","messages":[],"messages":[{"role":"user","content":"long"}]}""", "messages")]
    [InlineData("""{"model":"a","prompt":"x","prompt":"y"}""", "prompt")]
    [InlineData("""{"model":"a","tools":[],"tools":[]}""", "tools")]
    public async Task ReadAsync_FieldTwice_IsRefused(string body, string field)
    {
        var result = await Inspect(body);

        Assert.Equal(InspectionFailure.Invalid, result.Failure);
        Assert.Equal($"The field '{field}' appears more than once.", result.Error);
        Assert.Equal(field, result.Param);
    }

    [Theory]
    [InlineData("""{"model":"\ud800"}""")]
    [InlineData("""{"model":"a\udc00b"}""")]
    public async Task ReadAsync_ModelWithALoneSurrogate_IsInvalidNotAnException(string body)
    {
        var result = await Inspect(body);

        Assert.Equal(InspectionFailure.Invalid, result.Failure);
        Assert.Equal("'model' is not valid Unicode text.", result.Error);
    }

    [Fact]
    public async Task ReadAsync_ModelWithInvalidUtf8_IsInvalidNotAnException()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"model":"ab"}""");
        bytes[10] = 0xFF;
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);

        var result = await new RequestInspector().ReadAsync(context, 1024);

        Assert.Equal(InspectionFailure.Invalid, result.Failure);
        Assert.Equal("model", result.Param);
    }

    [Fact]
    public async Task ReadAsync_HugeModelName_IsRefusedWithoutDecodingIt()
    {
        var result = await Inspect("{\"model\":\"" + new string('m', 100_000) + "\"}", max: 1 << 20);

        Assert.Equal(InspectionFailure.Invalid, result.Failure);
        Assert.Equal("'model' is longer than 256 characters.", result.Error);
    }

    [Fact]
    public async Task ReadAsync_EngineFields_AreFoundAndMarkedForRemoval()
    {
        const string Body = """{"rid":"r","model":"s1","lora_path":"adapter","messages":[],"priority":-10}""";

        using var request = (await Inspect(Body)).Request!;

        Assert.Equal("adapter", request.Adapter);
        Assert.Equal("lora_path", request.AdapterField);
        Assert.Equal("rid", request.OperatorField);
        var kept = Cut(Body, request.Removals);
        Assert.Equal("""{"model":"s1","messages":[]}""", kept);
    }

    [Fact]
    public async Task ReadAsync_EngineFieldsWithEscapedNames_AreFoundAndMarkedForRemovalAlike()
    {
        // An escaped name is the same name: it cannot carry an operator-only field or an adapter past the inspector.
        const string Body = """{"r\u0069d":"r","model":"s1","lora_p\u0061th":"adapter","m\u0065ssages":[],"prior\u0069ty":-10}""";

        using var request = (await Inspect(Body)).Request!;

        Assert.Equal("adapter", request.Adapter);
        Assert.Equal("lora_path", request.AdapterField);
        Assert.Equal("rid", request.OperatorField);
        Assert.Equal("""{"model":"s1","m\u0065ssages":[]}""", Cut(Body, request.Removals));
    }

    [Fact]
    public async Task ReadAsync_CountedFieldTwiceOnceEscaped_IsRefused()
    {
        var result = await Inspect("""{"model":"m","messages":[],"m\u0065ssages":[]}""");

        Assert.Equal("The field 'messages' appears more than once.", result.Error);
    }

    [Theory]
    [InlineData("interactive", LlmHost.Gateway.FlowControl.RequestPriority.Interactive)]
    [InlineData("batch", LlmHost.Gateway.FlowControl.RequestPriority.Batch)]
    [InlineData("default", LlmHost.Gateway.FlowControl.RequestPriority.Default)]
    public async Task ReadAsync_PriorityClassByName_IsTheClientsToAskAndIsCut(string name, LlmHost.Gateway.FlowControl.RequestPriority expected)
    {
        var body = $$"""{"model":"m","priority":"{{name}}","messages":[]}""";

        using var request = (await Inspect(body)).Request!;

        Assert.Equal(expected, request.Priority);
        Assert.Null(request.OperatorField);
        Assert.Equal("""{"model":"m","messages":[]}""", Cut(body, request.Removals));
    }

    [Fact]
    public async Task ReadAsync_PriorityUnknownName_RefusedNamingTheClasses()
    {
        var result = await Inspect("""{"model":"m","priority":"urgent"}""");

        Assert.Equal("'priority' must be \"interactive\", \"default\" or \"batch\".", result.Error);
        Assert.Equal("priority", result.Param);
    }

    [Fact]
    public async Task ReadAsync_PriorityNumber_StaysOperatorOnly()
    {
        using var request = (await Inspect("""{"model":"m","priority":-10}""")).Request!;

        Assert.Equal("priority", request.OperatorField);
        Assert.Null(request.Priority);
    }

    [Theory]
    [InlineData("""{"model":"m","lora_path":null}""", null)]
    [InlineData("""{"model":"m","lora_path":["a","b"]}""", "'lora_path' must be a string.")]
    [InlineData("""{"model":"m","lora_path":7}""", "'lora_path' must be a string.")]
    public async Task ReadAsync_AdapterFieldNotAName_IsIgnoredOrRefused(string body, string? error)
    {
        var result = await Inspect(body);

        Assert.Equal(error, result.Error);
        Assert.Null(result.Request?.Adapter);
        result.Request?.Dispose();
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"\ud83d\ude00 and \\ud800 as text"}]}""", true)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"a\ud83d"}]}""", false)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"\ude00b"}]}""", false)]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"\ud83d\n"}]}""", false)]
    [InlineData("""{"model":"m","x\ud800":1}""", false)]
    [InlineData("""{"model":"m","stream_options":{"other":"\udfff"}}""", false)]
    public async Task ReadAsync_StringsAnywhere_MustBeUnicode(string body, bool valid)
    {
        var result = await Inspect(body, max: 4096);

        Assert.Equal(valid, result.Failure == InspectionFailure.None);
        result.Request?.Dispose();
    }

    private static string Cut(string body, List<BodySpan> removals)
    {
        var text = new StringBuilder();
        var position = 0;
        foreach (var removal in removals.OrderBy(r => r.Start))
        {
            text.Append(body, position, removal.Start - position);
            position = removal.End;
        }
        return text.Append(body, position, body.Length - position).ToString();
    }

    [Theory]
    [InlineData("n", 128, true)]
    [InlineData("n", 129, false)]
    [InlineData("best_of", 1000000, false)]
    public async Task ReadAsync_SequencesAsked_AreBoundedByOpenAIsLimit(string field, int value, bool accepted)
    {
        var result = await Inspect($$"""{"model":"m","{{field}}":{{value}}}""");

        Assert.Equal(accepted, result.Request is not null);
        result.Request?.Dispose();
        if (!accepted)
        {
            Assert.Equal($"'{field}' must be at most 128.", result.Error);
        }
    }

    [Theory]
    [InlineData("\"p\"", 2048, true)]
    [InlineData("\"p\"", 2049, false)]
    [InlineData("[1]", 2049, false)]
    [InlineData("1", 100_000, true)] // a flat list of token ids is one prompt, however long
    public async Task ReadAsync_PromptBatch_IsBoundedButNotAFlatTokenList(string element, int count, bool accepted)
    {
        var prompt = "[" + string.Join(",", Enumerable.Repeat(element, count)) + "]";

        var result = await Inspect($$"""{"model":"m","prompt":{{prompt}}}""", max: 1 << 20);

        Assert.Equal(accepted, result.Request is not null);
        result.Request?.Dispose();
        if (!accepted)
        {
            Assert.Equal("prompt", result.Param);
        }
    }

    [Fact]
    public async Task ReadAsync_StreamOptionsWithABadPropertyName_IsInvalidNotAnException()
    {
        var result = await Inspect("""{"model":"m","stream_options":{"\ud800":1}}""");

        Assert.Equal(InspectionFailure.Invalid, result.Failure);
    }

    [Fact]
    public async Task OpenBody_ReadToItsEnd_GivesTheBufferAndTheBudgetBack()
    {
        var budget = new RequestBodyBudget(TestConfig.Monitor());
        var lease = budget.Open("k");
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("""{"model":"m","messages":[]}"""));
        using var request = (await new RequestInspector().ReadAsync(context, 1024, lease)).Request!;
        Assert.True(budget.Total > 0);

        using var body = request.OpenBody();
        var copy = new MemoryStream();
        await body.CopyToAsync(copy);

        Assert.True(request.IsReleased);
        Assert.Equal(0, budget.Total);
        Assert.Equal("""{"model":"m","messages":[]}""", Encoding.UTF8.GetString(copy.ToArray()));
        Assert.Equal(0, await body.ReadAsync(new byte[16]));
    }

    [Fact]
    public async Task ReadAsync_BodyStallingPastTheTimeout_TimesOutAndHoldsNothing()
    {
        var budget = new RequestBodyBudget(TestConfig.Monitor());
        var lease = budget.Open("k");
        var pipe = new System.IO.Pipelines.Pipe();
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("""{"model":"m","pad":"""));
        var context = new DefaultHttpContext();
        context.Request.Body = pipe.Reader.AsStream();

        var result = await new RequestInspector().ReadAsync(context, 1024, lease, TimeSpan.FromMilliseconds(200));

        Assert.Equal(InspectionFailure.TimedOut, result.Failure);
        lease.Dispose();
        Assert.Equal(0, budget.Total);
    }
}
