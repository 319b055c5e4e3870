using System.Text;
using LlmHost.Gateway.Adapters;

namespace LlmHost.Tests.Unit.Gateway.Adapters;

/// <summary><c>adapters.json</c>: every problem reported with its place, never an exception.</summary>
[Trait("Category", "Unit")]
public sealed class AdapterFileLoaderTests
{
    private static List<string> Errors(string json) =>
        [.. AdapterFileLoader.Load(Encoding.UTF8.GetBytes(json)).Errors.Select(e => $"{e.Path}: {e.Message}")];

    [Fact]
    public void Load_Valid_Registrations()
    {
        var (file, errors) = AdapterFileLoader.Load("""{"adapters":[{"name":"sql-v2","path":"/a/sql","base_model":"qwen","backends":["vllm-qwen"]}]}"""u8);

        Assert.Empty(errors);
        var entry = Assert.Single(file!.Adapters);
        Assert.Equal(("sql-v2", "/a/sql", "qwen"), (entry.Name, entry.Path, entry.BaseModel));
    }

    [Theory]
    [InlineData("""{"adapters":null}""")]
    [InlineData("null")]
    public void Load_NoList_OneClearError(string json)
    {
        Assert.Equal([": the file must hold an object {\"adapters\": [...]}"], Errors(json));
    }

    [Fact]
    public void Load_BadEntries_EachProblemWithItsIndex()
    {
        var errors = Errors("""
            {"adapters":[
              {"name":"ok","path":"/p","base_model":"m"},
              {"name":"ok","path":"/p","base_model":"m"},
              {"name":"bad\n","path":"","base_model":"m"},
              null
            ]}
            """);

        Assert.Contains("adapters[1].name: 'ok' is registered twice", errors);
        Assert.Contains(errors, e => e.StartsWith("adapters[2]: name: must be 1 to 128", StringComparison.Ordinal));
        Assert.Contains("adapters[2]: path: is required (at most 1024 characters)", errors);
        Assert.Contains("adapters[3]: must be an object", errors);
    }

    [Fact]
    public void Load_NotJson_ErrorNotException()
    {
        Assert.Single(Errors("{\"adapters\": [ {"));
    }
}
