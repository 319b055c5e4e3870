using LlmHost.Gateway.ControlPlane;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace LlmHost.Tests.Unit.Gateway.ControlPlane;

/// <summary>The control-plane pipelines: reads retried, writes never, one breaker per instance that opens and closes.</summary>
[Trait("Category", "Unit")]
public sealed class EngineControlTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services;
    private readonly EngineControl _control;

    public EngineControlTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddEngineControl();
        _services = services.BuildServiceProvider();
        _control = _services.GetRequiredService<EngineControl>();
    }

    public void Dispose() => _services.Dispose();

    private static ValueTask Refused(ref int calls)
    {
        calls++;
        throw new HttpRequestException("Connection refused");
    }

    [Fact]
    public async Task ReadAsync_EngineDown_TriedThreeTimesThenThrows()
    {
        var calls = 0;

        var reading = _control.ReadAsync("i1", _ => Refused(ref calls), CancellationToken.None).AsTask();
        // The retries wait on the pipeline's clock.
        while (!reading.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5);
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => reading);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task ReadAndWrite_ManyFirstCallsAtOnce_OneBreakerAndNoneThrows()
    {
        // Discovery, health probes and adapter loads start together: their first calls to an instance race to build
        // its pipelines, and a breaker must come out of it once (a second one on the same state provider throws).
        for (var round = 0; round < 20; round++)
        {
            var instance = $"race-{round}";
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var calls = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            {
                await start.Task;
                if (i % 2 == 0)
                {
                    await _control.ReadAsync(instance, _ => ValueTask.CompletedTask, CancellationToken.None);
                }
                else
                {
                    await _control.WriteAsync(instance, TimeSpan.FromSeconds(5), _ => ValueTask.FromResult(1), CancellationToken.None);
                }
            })).ToList();
            start.SetResult();

            await Task.WhenAll(calls);

            Assert.False(_control.IsCircuitOpen(instance));
        }
    }

    [Fact]
    public async Task WriteAsync_FailingLoad_NeverRetried()
    {
        var calls = 0;

        await Assert.ThrowsAsync<HttpRequestException>(async () => await _control.WriteAsync<int>("i2", TimeSpan.FromSeconds(5), _ =>
        {
            calls++;
            throw new HttpRequestException("Connection refused");
        }, CancellationToken.None));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Breaker_DeadEngine_OpensAndSparesItThenClosesWhenItRecovers()
    {
        var events = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Polly")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) =>
        {
            string? name = null, pipeline = null, instance = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "event.name": name = $"{tag.Value}"; break;
                    case "pipeline.name": pipeline = $"{tag.Value}"; break;
                    case "pipeline.instance": instance = $"{tag.Value}"; break;
                }
            }
            events.Enqueue($"{name} {pipeline} {instance}");
        });
        listener.Start();
        var calls = 0;
        for (var i = 0; i < 4; i++)
        {
            await Assert.ThrowsAsync<HttpRequestException>(async () => await _control.WriteAsync<int>("i3", TimeSpan.FromSeconds(5), _ =>
            {
                calls++;
                throw new HttpRequestException("Connection refused");
            }, CancellationToken.None));
        }

        Assert.True(_control.IsCircuitOpen("i3"));
        Assert.False(_control.IsCircuitOpen("other"));
        // Open: neither a load nor a read reaches the engine.
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await _control.WriteAsync("i3", TimeSpan.FromSeconds(5), _ => { calls++; return ValueTask.FromResult(1); }, CancellationToken.None));
        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await _control.ReadAsync("i3", _ => { calls++; return ValueTask.CompletedTask; }, CancellationToken.None));
        Assert.Equal(4, calls);
        Assert.Contains("OnCircuitOpened breaker i3", events);

        _time.Advance(EngineControl.BreakDuration + TimeSpan.FromSeconds(1));
        var answer = await _control.WriteAsync("i3", TimeSpan.FromSeconds(5), _ => { calls++; return ValueTask.FromResult(42); }, CancellationToken.None);

        Assert.Equal(42, answer);
        Assert.Equal(5, calls);
        Assert.False(_control.IsCircuitOpen("i3"));
        Assert.Contains("OnCircuitClosed breaker i3", events);
    }

    [Fact]
    public async Task ReadAsync_EngineHung_TimeoutsOpenTheCircuit()
    {
        var calls = 0;
        for (var i = 0; i < 2; i++)
        {
            var reading = _control.ReadAsync("hung", async token =>
            {
                calls++;
                await Task.Delay(Timeout.Infinite, token);
            }, CancellationToken.None).AsTask();
            while (!reading.IsCompleted)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(5);
            }
            await Assert.ThrowsAnyAsync<Exception>(() => reading);
        }

        Assert.True(_control.IsCircuitOpen("hung"));
        Assert.InRange(calls, 4, 6);
    }

    [Fact]
    public async Task WriteAsync_EngineSilent_TimesOutAsTimeoutRejected()
    {
        var write = _control.WriteAsync("i4", TimeSpan.FromMilliseconds(50), async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return 0;
        }, CancellationToken.None).AsTask();

        await Assert.ThrowsAsync<Polly.Timeout.TimeoutRejectedException>(() => write);
    }
}
