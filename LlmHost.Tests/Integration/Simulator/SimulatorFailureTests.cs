using System.Net;

namespace LlmHost.Tests.Integration.Simulator;

/// <summary>Failure injection: error rates by type, forced statuses, mid-stream errors and drops, slow start, API key.</summary>
[Trait("Category", "Integration")]
public class SimulatorFailureTests
{
    [Theory]
    [InlineData("rate_limit", HttpStatusCode.TooManyRequests, "RateLimitError")]
    [InlineData("invalid_api_key", HttpStatusCode.Unauthorized, "AuthenticationError")]
    [InlineData("context_length", HttpStatusCode.BadRequest, "BadRequestError")]
    [InlineData("server_error", HttpStatusCode.ServiceUnavailable, "InternalServerError")]
    [InlineData("invalid_request", HttpStatusCode.BadRequest, "BadRequestError")]
    [InlineData("model_not_found", HttpStatusCode.NotFound, "NotFoundError")]
    public async Task FailureRateOne_EachType_AnswersItsError(string type, HttpStatusCode status, string errorType)
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--failure-rate", "1", "--failure-types", type);

        var (response, body) = await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"model":"m","messages":[]}""");

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(errorType, body.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal((int)status, body.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task FailureRateHalf_FailsAboutHalf()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--failure-rate", "0.5", "--failure-types", "server_error");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            statuses.Add((await sim.Client.PostAsync("/v1/chat/completions", Json.Body("""{"messages":[],"max_tokens":1}"""))).StatusCode);
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.ServiceUnavailable), 60, 140);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable));
    }

    [Fact]
    public async Task ReturnErrorHeader_ForcesStatus()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--legacy-errors");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Body("""{"messages":[]}""") };
        request.Headers.Add("X-Return-Error", "502");

        using var response = await sim.Client.SendAsync(request);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        // --legacy-errors: the flat shape of vLLM before v0.10.1.
        Assert.Equal("error", body.GetProperty("object").GetString());
        Assert.Equal(502, body.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task StreamError_AfterHeaders_IsErrorEventThenDone()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--failure-rate", "1", "--failure-types", "stream_error");

        var response = await sim.Client.PostAsync("/v1/chat/completions", Json.Body("""{"messages":[],"max_tokens":10,"ignore_eos":true,"stream":true}"""));
        var events = Sse.ParseEvents(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("[DONE]", events[^1]);
        var error = System.Text.Json.JsonDocument.Parse(events[^2]).RootElement.GetProperty("error");
        Assert.Equal(500, error.GetProperty("code").GetInt32());
        // Role chunk and the first half of the tokens came before the error.
        Assert.Equal(1 + 5 + 2, events.Count);
    }

    [Fact]
    public async Task DropRateOne_CutsTheStreamWithoutDone()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--drop-rate", "1");
        var lines = new List<string>();

        // The connection is reset half way: depending on timing the client sees it while reading the body or,
        // on a loaded machine, already while waiting for the headers. Either way the stream never completes.
        var ex = await Record.ExceptionAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = Json.Body("""{"messages":[],"max_tokens":10,"ignore_eos":true,"stream":true}"""),
            };
            using var response = await sim.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                lines.Add(line);
            }
        });

        Assert.True(ex is IOException or HttpRequestException, $"expected a broken connection, got {ex?.GetType().Name ?? "a complete stream"}");
        Assert.DoesNotContain("data: [DONE]", lines);
    }

    [Fact]
    public async Task StartupDelay_HealthAndRequestsAre503UntilLoaded()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "sglang", "--model", "m", "--startup-delay-ms", "700");

        var early = await sim.Client.GetAsync("/health");
        var (earlyRequest, _) = await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"messages":[]}""");
        await Task.Delay(800);
        var later = await sim.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, earlyRequest.StatusCode);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task ApiKey_V1RoutesNeedIt_HealthAndMetricsDoNot()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--api-key", "secret");

        var missing = await sim.Client.GetAsync("/v1/models");
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        withKey.Headers.Authorization = new("Bearer", "secret");
        var allowed = await sim.Client.SendAsync(withKey);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("""{"error":"Unauthorized"}""", await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sim.Client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sim.Client.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task WaitingQueueFull_Is429()
    {
        await using var sim = await SimulatorHost.StartAsync("--engine", "vllm", "--model", "m", "--max-num-seqs", "1", "--max-waiting-queue-length", "1", "--ttft-ms", "1500");

        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(async i =>
        {
            await Task.Delay(i * 60);
            return (await Json.PostAsync(sim.Client, "/v1/chat/completions", """{"messages":[],"max_tokens":1}""")).Response.StatusCode;
        }));

        Assert.Equal(2, results.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(1, results.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
