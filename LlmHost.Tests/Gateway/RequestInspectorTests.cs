using System.Text;
using LlmHost.Gateway.Proxy;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Gateway;

public class RequestInspectorTests
{
    private static Task<InspectionResult> Inspect(string body, long max = 1024, bool declareLength = true)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = declareLength ? bytes.Length : null;
        return RequestInspector.ReadAsync(context, max);
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

        Assert.True(result.IsTooLarge);
    }

    [Fact]
    public async Task ReadAsync_ChunkedBodyOverLimit_IsTooLarge()
    {
        var body = "{\"model\":\"m\",\"pad\":\"" + new string('x', 5000) + "\"}";

        var result = await Inspect(body, max: 4096, declareLength: false);

        Assert.True(result.IsTooLarge);
    }

    [Fact]
    public async Task ReadAsync_ChunkedBodyUnderLimit_GrowsBuffer()
    {
        var body = "{\"pad\":\"" + new string('x', 40_000) + "\",\"model\":\"m\"}";

        var result = await Inspect(body, max: 100_000, declareLength: false);

        Assert.Equal("m", result.Request!.Model);
        Assert.Equal(body.Length, result.Request.Length);
    }
}
