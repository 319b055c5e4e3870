using LlmHost.Simulator.Api.Responses;

namespace LlmHost.Tests.Unit.Simulator;

/// <summary>The simulator's memory of stored responses: bounded, the oldest forgotten first.</summary>
[Trait("Category", "Unit")]
public sealed class ResponseStoreTests
{
    private static StoredResponse Response(string id) => new(System.Text.Encoding.UTF8.GetBytes($$"""{"id":"{{id}}"}"""), []);

    [Fact]
    public void Save_PastCapacity_OldestForgottenNewestKept()
    {
        var sut = new ResponseStore(capacity: 2);

        sut.Save("resp_1", Response("resp_1"));
        sut.Save("resp_2", Response("resp_2"));
        sut.Save("resp_3", Response("resp_3"));

        Assert.Equal(2, sut.Count);
        Assert.False(sut.TryGet("resp_1", out _));
        Assert.True(sut.TryGet("resp_2", out _));
        Assert.True(sut.TryGet("resp_3", out var newest));
        Assert.Equal("""{"id":"resp_3"}""", System.Text.Encoding.UTF8.GetString(newest.Json));
    }

    [Fact]
    public void Save_SameIdTwice_KeptOnceAndNotEvictedEarly()
    {
        var sut = new ResponseStore(capacity: 2);

        sut.Save("resp_1", Response("resp_1"));
        sut.Save("resp_1", Response("resp_1"));
        sut.Save("resp_2", Response("resp_2"));

        Assert.Equal(2, sut.Count);
        Assert.True(sut.TryGet("resp_1", out _));
    }
}
