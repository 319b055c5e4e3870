using System.Net;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>Runtime LoRA routes per engine (shared/reference/backends.md §1.4 and §2.3).</summary>
[Trait("Category", "Integration")]
public class SimulatorLoraTests
{
    private static async Task<string> ModelIds(SimulatorHost sim) =>
        string.Join(',', (await Json.GetAsync(sim.Client, "/v1/models")).GetProperty("data").EnumerateArray().Select(c => c.GetProperty("id").GetString()));

    [Fact]
    public async Task VllmLoad_WithoutRuntimeGate_RouteDoesNotExist()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m");

        var response = await sim.Client.PostAsync("/v1/load_lora_adapter", Json.Body("""{"lora_name":"a","lora_path":"/a"}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"detail":"Not Found"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task VllmLoadUnload_FullCycle_PlainTextSuccessAndErrors()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--enable-lora", "--allow-runtime-lora");

        var load = await sim.Client.PostAsync("/v1/load_lora_adapter", Json.Body("""{"lora_name":"a","lora_path":"/adapters/a"}"""));
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        Assert.Equal("Success: LoRA adapter 'a' added successfully.", await load.Content.ReadAsStringAsync());
        Assert.Equal("m,a", await ModelIds(sim));

        var (again, againBody) = await Json.PostAsync(sim.Client, "/v1/load_lora_adapter", """{"lora_name":"a","lora_path":"/adapters/a"}""");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("InvalidUserInput", againBody.GetProperty("error").GetProperty("type").GetString());

        var (missing, _) = await Json.PostAsync(sim.Client, "/v1/load_lora_adapter", """{"lora_name":"b"}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        var (routed, routedBody) = await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"a","messages":[],"max_tokens":1}""");
        Assert.Equal(HttpStatusCode.OK, routed.StatusCode);
        Assert.Equal("a", routedBody.GetProperty("model").GetString());

        var unload = await sim.Client.PostAsync("/v1/unload_lora_adapter", Json.Body("""{"lora_name":"a"}"""));
        Assert.Equal("Success: LoRA adapter 'a' removed successfully.", await unload.Content.ReadAsStringAsync());
        Assert.Equal("m", await ModelIds(sim));

        var (gone, goneBody) = await Json.PostAsync(sim.Client, "/v1/unload_lora_adapter", """{"lora_name":"a"}""");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("The lora adapter 'a' cannot be found.", goneBody.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task SglangLoadUnload_FullCycle_JsonEnvelope()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m", "--enable-lora");

        var (load, loaded) = await Json.PostAsync(sim.Client, "/load_lora_adapter", """{"lora_name":"a","lora_path":"/adapters/a"}""");
        Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        Assert.True(loaded.GetProperty("success").GetBoolean());
        Assert.Equal("/adapters/a", loaded.GetProperty("loaded_adapters").GetProperty("a").GetString());
        Assert.Equal("m,a", await ModelIds(sim));
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m:a","messages":[],"max_tokens":1}""")).Response.StatusCode);

        var (again, againBody) = await Json.PostAsync(sim.Client, "/load_lora_adapter", """{"lora_name":"a","lora_path":"/adapters/a"}""");
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.False(againBody.GetProperty("success").GetBoolean());

        var (unload, unloaded) = await Json.PostAsync(sim.Client, "/unload_lora_adapter", """{"lora_name":"a"}""");
        Assert.Equal(HttpStatusCode.OK, unload.StatusCode);
        Assert.Empty(unloaded.GetProperty("loaded_adapters").EnumerateObject());
        Assert.Equal(HttpStatusCode.NotFound, (await sim.Client.PostAsync("/v1/load_lora_adapter", Json.Body("{}"))).StatusCode);
    }

    [Fact]
    public async Task SglangLoad_WithoutEnableLora_FailsWithMessage()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m");

        var (response, body) = await Json.PostAsync(sim.Client, "/load_lora_adapter", """{"lora_name":"a","lora_path":"/a"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("--enable-lora", body.GetProperty("error_message").GetString());
    }

    [Fact]
    public async Task SglangLoad_BeyondMaxLoadedLoras_RefusedInSglangWords()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m", "--enable-lora", "--max-loras-per-batch", "1", "--max-loaded-loras", "1");
        Assert.Equal(HttpStatusCode.OK, (await Json.PostAsync(sim.Client, "/load_lora_adapter", """{"lora_name":"a","lora_path":"/a"}""")).Response.StatusCode);

        var (response, body) = await Json.PostAsync(sim.Client, "/load_lora_adapter", """{"lora_name":"b","lora_path":"/b"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Contains("Maximum number of loaded LoRA adapters (1) reached", body.GetProperty("error_message").GetString());
        Assert.Equal("m,a", await ModelIds(sim));
    }

    [Fact]
    public async Task Load_LoraLoadMs_TakesThatLong()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--enable-lora", "--allow-runtime-lora", "--lora-load-ms", "400");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var response = await sim.Client.PostAsync("/v1/load_lora_adapter", Json.Body("""{"lora_name":"a","lora_path":"/a"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= 390, $"{clock.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData("vllm", "/v1/load_lora_adapter", 404, "No adapter found for /missing/a")]
    [InlineData("sglang", "/load_lora_adapter", 400, "Can't find adapter_config.json at '/missing/a'")]
    public async Task Load_CheckPathsMissingPath_EngineRefusal(string engine, string route, int status, string message)
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", engine, "--model", "m", "--enable-lora", "--allow-runtime-lora", "--lora-check-paths");

        var response = await sim.Client.PostAsync(route, Json.Body("""{"lora_name":"a","lora_path":"/missing/a"}"""));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Equal("m", await ModelIds(sim));
    }

    [Fact]
    public async Task Requests_MoreAdaptersThanMaxLoras_WaitAndShowInLoraRequestsInfo()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--lora-modules", "a=/a", "b=/b", "--max-loras", "1", "--itl-ms", "30");
        var first = Json.PostAsync(sim.Client, "/v1/completions", """{"model":"a","prompt":"x","max_tokens":40,"ignore_eos":true}""");
        // b only once a runs: a cold first request can take longer than a fixed head start.
        Assert.True(await Eventually.TrueWithinAsync(async () => (await sim.Client.GetStringAsync("/metrics")).Contains("running_lora_adapters=\"a\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10)));
        var second = Json.PostAsync(sim.Client, "/v1/completions", """{"model":"b","prompt":"x","max_tokens":2,"ignore_eos":true}""");
        string? during = null;
        for (var i = 0; i < 100 && during is null; i++)
        {
            var metrics = await sim.Client.GetStringAsync("/metrics");
            if (metrics.Contains("waiting_lora_adapters=\"b\"", StringComparison.Ordinal))
            {
                during = metrics;
            }
            await Task.Delay(10);
        }
        var answers = await Task.WhenAll(first, second);

        Assert.NotNull(during);
        Assert.Contains("running_lora_adapters=\"a\"", during);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Response.StatusCode));
    }
}
