using System.Text;
using System.Text.Json;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Tests.Unit.Gateway.Utilities;

public class Utf8NameTableTests
{
    private static readonly Utf8NameTable<int> Table = new([("model", 1), ("store", 2), ("stream", 3), ("messages", 4), ("model", 5)]);

    // The value found for the first property name of a JSON object, or null.
    private static int? Find(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        reader.Read();
        return Table.TryFind(ref reader, out var value) ? value : null;
    }

    [Theory]
    [InlineData("""{"model":1}""", 1)]
    [InlineData("""{"store":1}""", 2)]
    [InlineData("""{"stream":1}""", 3)]
    [InlineData("""{"messages":1}""", 4)]
    public void TryFind_KnownName_FindsItsValue(string json, int expected) => Assert.Equal(expected, Find(json));

    [Theory]
    [InlineData("""{"modes":1}""")]
    [InlineData("""{"Model":1}""")]
    [InlineData("""{"mode":1}""")]
    [InlineData("""{"":1}""")]
    [InlineData("""{"a_name_longer_than_every_known_one":1}""")]
    public void TryFind_UnknownName_NotFound(string json) => Assert.Null(Find(json));

    [Fact]
    public void TryFind_TwoEqualNames_FirstWins() => Assert.Equal(1, Find("""{"model":1}"""));

    [Theory]
    [InlineData("""{"mod\u0065l":1}""", 1)]
    [InlineData("""{"\u006d\u006f\u0064\u0065\u006c":1}""", 1)]
    [InlineData("""{"m\u0065ssag\u0065s":1}""", 4)]
    public void TryFind_EscapedName_FoundAsTheReaderWouldCompareIt(string json, int expected) => Assert.Equal(expected, Find(json));

    [Theory]
    [InlineData("""{"mod\ud800":1}""")]
    [InlineData("""{"\udfffmodel":1}""")]
    public void TryFind_EscapedLoneSurrogate_NotFound(string json) => Assert.Null(Find(json));

    [Fact]
    public void TryFind_EscapedNameLongerThanAnyUnescaped_NotFound() =>
        Assert.Null(Find("{\"" + string.Concat(Enumerable.Repeat("\\u0061", 9)) + "\":1}"));
}
