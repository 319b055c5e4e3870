using LlmHost.Gateway.Routing;

namespace LlmHost.Tests.Unit.Gateway.Routing;

[Trait("Category", "Unit")]
public class PassiveHealthTests
{
    [Fact]
    public void RecordFailure_ThreeInARow_Ejects()
    {
        var sut = new PassiveHealth(TimeSpan.FromSeconds(30));

        Assert.False(sut.RecordFailure());
        Assert.False(sut.RecordFailure());
        Assert.False(sut.IsEjected);
        Assert.True(sut.RecordFailure());
        Assert.True(sut.IsEjected);
    }

    [Fact]
    public void RecordSuccess_BetweenFailures_ResetsTheCount()
    {
        var sut = new PassiveHealth(TimeSpan.FromSeconds(30));

        sut.RecordFailure();
        sut.RecordFailure();
        sut.RecordSuccess();
        sut.RecordFailure();
        sut.RecordFailure();

        Assert.False(sut.IsEjected);
        Assert.Equal(2, sut.ConsecutiveFailures);
    }

    [Fact]
    public async Task Ejection_Ends_ThenOneMoreFailureEjectsAgainForLonger()
    {
        var sut = new PassiveHealth(TimeSpan.FromSeconds(1));
        for (var i = 0; i < PassiveHealth.FailureThreshold; i++)
        {
            sut.RecordFailure();
        }
        Assert.True(sut.IsEjected);

        await Task.Delay(1500);
        Assert.False(sut.IsEjected);
        Assert.True(sut.RecordFailure());

        // The second ejection lasts twice as long (2 s): still ejected half a second later, over after 2.5 s.
        await Task.Delay(500);
        Assert.True(sut.IsEjected);
        await Task.Delay(2000);
        Assert.False(sut.IsEjected);
    }

    [Fact]
    public void RecordFailure_WhileEjected_DoesNotExtendTheEjection()
    {
        var sut = new PassiveHealth(TimeSpan.FromSeconds(30));
        for (var i = 0; i < PassiveHealth.FailureThreshold; i++)
        {
            sut.RecordFailure();
        }

        Assert.False(sut.RecordFailure());
    }
}
