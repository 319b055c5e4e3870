using System.Net;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>vLLM's sleep mode as the simulator imitates it: dev-mode routes, levels, the level-2 reload, waking time.</summary>
[Trait("Category", "Integration")]
public sealed class SimulatorSleepTests
{
    [Fact]
    public async Task SleepRoutes_WithoutDevMode_DoNotExist()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--enable-sleep-mode");

        Assert.Equal(HttpStatusCode.NotFound, (await sim.Client.PostAsync("/sleep?level=1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await sim.Client.GetAsync("/is_sleeping")).StatusCode);
    }

    [Fact]
    public async Task Sleep_WithoutSleepMode_500SaysSo()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--server-dev-mode");

        var response = await sim.Client.PostAsync("/sleep?level=1", null);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("--enable-sleep-mode", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SleepAndWake_Level1_RequestsRefusedWhileAsleepWakeTakesWakeMs()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--enable-sleep-mode", "--server-dev-mode", "--wake-ms", "200");

        Assert.Equal(HttpStatusCode.OK, (await sim.Client.PostAsync("/sleep?level=1", null)).StatusCode);
        Assert.Equal("{\"is_sleeping\":true}", await sim.Client.GetStringAsync("/is_sleeping"));
        var (refused, _) = await Json.PostAsync(sim.Client, "/v1/completions", """{"model":"m","prompt":"x","max_tokens":1}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sim.Client.GetAsync("/health")).StatusCode);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await sim.Client.PostAsync("/wake_up", null)).StatusCode);

        Assert.True(clock.ElapsedMilliseconds >= 190, $"{clock.ElapsedMilliseconds} ms");
        Assert.Equal("{\"is_sleeping\":false}", await sim.Client.GetStringAsync("/is_sleeping"));
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(sim.Client, "/v1/completions", """{"model":"m","prompt":"x","max_tokens":1}""")).Response.StatusCode);
    }

    [Fact]
    public async Task Level2_WeightsDiscardedUntilReloaded_BadLevelRefused()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--enable-sleep-mode", "--server-dev-mode");
        var state = sim.Get<LlmHost.Simulator.Engine.SleepState>();

        Assert.Equal(HttpStatusCode.BadRequest, (await sim.Client.PostAsync("/sleep?level=3", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sim.Client.PostAsync("/sleep?level=2", null)).StatusCode);
        Assert.True(state.WeightsDiscarded);
        Assert.Equal(HttpStatusCode.OK, (await sim.Client.PostAsync("/wake_up", null)).StatusCode);
        Assert.True(state.WeightsDiscarded);
        Assert.Equal(HttpStatusCode.OK, (await sim.Client.PostAsync("/collective_rpc", Json.Body("""{"method":"reload_weights"}"""))).StatusCode);
        Assert.False(state.WeightsDiscarded);
    }

    [Fact]
    public async Task Sglang_ReleaseAndResume_RequestsRefusedWhileReleasedResumeTakesWakeMs()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m", "--enable-memory-saver", "--enable-weights-cpu-backup", "--wake-ms", "200");
        var state = sim.Get<LlmHost.Simulator.Engine.SleepState>();

        var (released, body) = await Json.PostAsync(sim.Client, "/release_memory_occupation", "{}");
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(1, state.Level);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Json.PostAsync(sim.Client, "/v1/completions", """{"model":"m","prompt":"x","max_tokens":1}""")).Response.StatusCode);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(sim.Client, "/resume_memory_occupation", """{"tags":["weights","kv_cache"]}""")).Response.StatusCode);

        Assert.True(clock.ElapsedMilliseconds >= 190, $"{clock.ElapsedMilliseconds} ms");
        Assert.False(state.IsSleeping);
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(sim.Client, "/v1/completions", """{"model":"m","prompt":"x","max_tokens":1}""")).Response.StatusCode);
        // vLLM's routes are not SGLang's.
        Assert.Equal(HttpStatusCode.NotFound, (await sim.Client.PostAsync("/sleep?level=1", null)).StatusCode);
    }

    [Fact]
    public async Task Sglang_ReleaseWithoutMemorySaver_400SaysSo()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m");

        var (response, body) = await Json.PostAsync(sim.Client, "/release_memory_occupation", "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Contains("--enable-memory-saver", body.GetProperty("message").GetString());
        Assert.False(sim.Get<LlmHost.Simulator.Engine.SleepState>().IsSleeping);
    }
}
