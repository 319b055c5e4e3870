using System.Text;
using LlmHost.Gateway.Metering;

namespace LlmHost.Tests.Unit.Gateway.Metering;

[Trait("Category", "Unit")]
public class PlainChunkShapeTests
{
    private const string Chunk = """{"id":"c1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"content":"VALUE"},"logprobs":null,"finish_reason":null}],"usage":null}""";

    private static byte[] With(string value, string chunk = Chunk) => Encoding.UTF8.GetBytes(chunk.Replace("VALUE", value));

    private static PlainChunkShape Learnt(string operation = "chat", string chunk = Chunk)
    {
        var shape = new PlainChunkShape();
        shape.Learn(With("first", chunk), operation);
        return shape;
    }

    [Theory]
    [InlineData(" word")]
    [InlineData("x")]
    [InlineData(@"line\nbreak")]
    [InlineData(@"\u0022quoted\u0022")]
    [InlineData(@"ends with an escaped backslash\\ then more")]
    [InlineData(@"ends with an escaped backslash\\")]
    [InlineData(@"\ud83d\ude00 \/ \b\f\r\t")]
    public void Matches_SameShapeAnotherString_True(string value)
    {
        using var shape = Learnt();

        Assert.True(shape.Matches(With(value)));
    }

    [Theory]
    [InlineData("")] // an empty delta counts no token
    [InlineData("a\\\"b")] // an escaped quote: read whole
    [InlineData("trailing\\")] // would escape the closing quote
    [InlineData("tab\tinside")] // a raw control byte: not a JSON string
    [InlineData("line\nbreak")] // a multi-line event's joined data
    [InlineData(@"bad \q escape")]
    [InlineData(@"bad \u12G4 escape")]
    [InlineData(@"short \u12")]
    [InlineData("a\",\"role\":\"x")] // a quote ends the string: another shape
    public void Matches_StringThatCouldChangeTheShape_False(string value)
    {
        using var shape = Learnt();

        Assert.False(shape.Matches(With(value)));
    }

    [Theory]
    [InlineData("\"id\":\"c1\"", "\"id\":\"c2\"")]
    [InlineData("\"finish_reason\":null", "\"finish_reason\":\"stop\"")]
    [InlineData("\"usage\":null", "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}")]
    public void Matches_AnyOtherByteAroundTheString_False(string learnt, string now)
    {
        using var shape = Learnt();

        Assert.False(shape.Matches(With("tok", Chunk.Replace(learnt, now))));
    }

    [Fact]
    public void Matches_NothingLearnt_False()
    {
        using var shape = new PlainChunkShape();

        Assert.False(shape.Matches(With("tok")));
    }

    [Fact]
    public void Learn_CompletionsChunk_ShapeAroundItsText()
    {
        const string completion = """{"id":"cmpl-1","object":"text_completion","created":7,"model":"m","choices":[{"index":0,"text":"VALUE","logprobs":null,"finish_reason":null}]}""";
        using var shape = Learnt("text_completion", completion);

        Assert.True(shape.Matches(With(" next", completion)));
        Assert.False(shape.Matches(With(" next")));
    }

    [Fact]
    public void Learn_TwoContentStrings_NothingLearnt()
    {
        var twice = """{"id":"c","choices":[{"index":0,"delta":{"content":"VALUE"}},{"index":1,"delta":{"content":"other"}}]}""";
        using var shape = Learnt(chunk: twice);

        Assert.False(shape.Matches(With("tok", twice)));
    }

    [Fact]
    public void Learn_ChunkLongerThanTheLimit_NothingLearnt()
    {
        using var shape = Learnt(chunk: Chunk.Replace("\"m\"", $"\"{new string('m', PlainChunkShape.MaxLength)}\""));

        Assert.False(shape.Matches(With("tok", Chunk.Replace("\"m\"", $"\"{new string('m', PlainChunkShape.MaxLength)}\""))));
    }
}
