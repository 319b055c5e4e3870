using System.Text;
using System.Text.Json;
using LlmHost.Gateway.Proxy;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Unit.Gateway.Proxy;

[Trait("Category", "Unit")]
public class BodyRewriterTests
{
    private static async Task<InspectedRequest> Inspect(string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return (await new RequestInspector().ReadAsync(context, 1 << 20)).Request!;
    }

    private static async Task<string?> Rewrite(string body, string? model, bool? inject = null, int? enginePriority = null)
    {
        using var request = await Inspect(body);
        await using var rewritten = BodyRewriter.Rewrite(request, model, inject ?? BodyRewriter.NeedsUsageInjection(request), enginePriority);
        if (rewritten is null)
        {
            return null;
        }
        var text = await new StreamReader(rewritten).ReadToEndAsync();
        Assert.Equal(rewritten.Length, Encoding.UTF8.GetByteCount(text));
        using var _ = JsonDocument.Parse(text);
        return text;
    }

    [Fact]
    public async Task Rewrite_EnginePriority_ReplacesTheClientsClassWithVllmsNumber()
    {
        Assert.Equal("""{"model":"m","messages":[],"priority":-1}""",
            await Rewrite("""{"model":"m","priority":"interactive","messages":[]}""", null, enginePriority: -1));
        Assert.Equal("""{"model":"m","priority":1}""", await Rewrite("""{"model":"m","priority":"batch"}""", null, enginePriority: 1));
    }

    [Fact]
    public async Task Rewrite_NothingToChange_ReturnsNull()
    {
        Assert.Null(await Rewrite("""{"model":"m","messages":[]}""", null));
        Assert.Null(await Rewrite("""{"model":"m","stream":true,"stream_options":{"include_usage":true}}""", null));
    }

    [Fact]
    public async Task Rewrite_StreamWithoutOptions_AddsIncludeUsage()
    {
        Assert.Equal("""{"model":"m","stream":true ,"stream_options":{"include_usage":true}}""",
            await Rewrite("""{"model":"m","stream":true }""", null));
    }

    [Theory]
    [InlineData("""{"stream_options":{"include_usage":false},"model":"m","stream":true}""", """{"stream_options":{"include_usage":true},"model":"m","stream":true}""")]
    [InlineData("""{"model":"m","stream":true,"stream_options":{}}""", """{"model":"m","stream":true,"stream_options":{"include_usage":true}}""")]
    [InlineData("""{"model":"m","stream":true,"stream_options":{"continuous_usage_stats":true}}""", """{"model":"m","stream":true,"stream_options":{"include_usage":true}}""")]
    public async Task Rewrite_StreamOptionsWithoutUsage_AreReplaced(string body, string expected)
    {
        Assert.Equal(expected, await Rewrite(body, null));
    }

    [Fact]
    public async Task Rewrite_ModelOnly_ReplacesTheStringToken()
    {
        Assert.Equal("""{"messages":[{"role":"user","content":"x"}],"model":"base:adapter","n":1}""",
            await Rewrite("""{"messages":[{"role":"user","content":"x"}],"model":"adapter","n":1}""", "base:adapter"));
    }

    [Fact]
    public async Task Rewrite_ModelAndUsage_InEitherOrder()
    {
        Assert.Equal("""{"stream_options":{"include_usage":true},"stream":true,"model":"b:a"}""",
            await Rewrite("""{"stream_options":{},"stream":true,"model":"a"}""", "b:a"));
        Assert.Equal("""{"model":"b:a","stream":true,"stream_options":{"include_usage":true}}""",
            await Rewrite("""{"model":"a","stream":true}""", "b:a"));
    }

    [Fact]
    public async Task Rewrite_ModelNeedingEscapes_StaysValidJson()
    {
        var text = await Rewrite("""{"model":"a"}""", "we\"ird\\name");

        Assert.Equal("we\"ird\\name", JsonDocument.Parse(text!).RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task NeedsUsageInjection_OnlyForStreamsWithoutIncludeUsageTrue()
    {
        Assert.False(BodyRewriter.NeedsUsageInjection(await Inspect("""{"model":"m"}""")));
        Assert.False(BodyRewriter.NeedsUsageInjection(await Inspect("""{"model":"m","stream":false}""")));
        Assert.True(BodyRewriter.NeedsUsageInjection(await Inspect("""{"model":"m","stream":true}""")));
        Assert.False(BodyRewriter.NeedsUsageInjection(await Inspect("""{"model":"m","stream":true,"stream_options":{"include_usage":true}}""")));
    }

    [Theory]
    [InlineData("""{"lora_path":"a","model":"m"}""", """{"model":"m"}""")]
    [InlineData("""{"model":"m","lora_path":"a"}""", """{"model":"m"}""")]
    [InlineData("""{"model":"m", "rid":"1" , "lora_path":"a" ,"n":1}""", """{"model":"m", "n":1}""")]
    [InlineData("""{"model":"m","n":1,"rid":"1","priority":5}""", """{"model":"m","n":1}""")]
    [InlineData("""{"rid":"1","priority":5,"model":"m","cache_salt":"s"}""", """{"model":"m"}""")]
    [InlineData("""{"model":"m","stream":true,"lora_path":"a"}""", """{"model":"m","stream":true,"stream_options":{"include_usage":true}}""")]
    public async Task Rewrite_EngineFields_AreCutLeavingValidJson(string body, string expected)
    {
        Assert.Equal(expected, await Rewrite(body, null));
    }
}
