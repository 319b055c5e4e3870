using System.Net;
using Aspire.Hosting.Testing;

namespace LlmHost.Tests.EndToEnd.AppHost;

/// <summary>
/// A backend in mode <c>process</c> run by the AppHost, with the simulator standing in for the engine: the configured
/// "python" is a script that takes the engine's module and arguments (<c>-m vllm.entrypoints.cli.main serve MODEL …</c>,
/// <c>-m sglang.launch_server --model-path …</c>) and starts the simulator with them. It must come up healthy on the
/// port Aspire gives it, be discovered by the gateway and serve through it.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ProcessModeEndToEndTests(ProcessModeFixture fixture) : IClassFixture<ProcessModeFixture>
{
    private const string UserKey = "sk-llmhost-dev-LocalDevelopmentOnlyReplaceBeforeDeploying";

    [Fact]
    public async Task ProcessBackends_HealthyAndServingThroughTheGateway()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway", "http");
        gateway.DefaultRequestHeaders.Authorization = new("Bearer", UserKey);

        foreach (var model in new[] { "pv", "ps" })
        {
            using var response = await gateway.PostAsync("/v1/chat/completions", Json.Body($$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var engine = fixture.App.CreateHttpClient("pv", "http");
        Assert.Equal(HttpStatusCode.OK, (await engine.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task SleepingEngine_ShownInTheDashboardAndWokenByTheNextRequest()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await WaitForSleepPropertyAsync("awake", cancellation.Token);
        using var admin = fixture.App.CreateHttpClient("gateway", "http");
        admin.DefaultRequestHeaders.Authorization = new("Bearer", "sk-llmhost-devadmin-LocalDevelopmentOnlyReplaceBeforeDeploying");

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/admin/backends/pv/sleep", null)).StatusCode);
        await WaitForSleepPropertyAsync("sleeping", cancellation.Token);

        using var user = fixture.App.CreateHttpClient("gateway", "http");
        user.DefaultRequestHeaders.Authorization = new("Bearer", UserKey);
        using var response = await user.PostAsync("/v1/chat/completions", Json.Body("""{"model":"pv","messages":[{"role":"user","content":"hi"}],"max_tokens":2}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await WaitForSleepPropertyAsync("awake", cancellation.Token);
    }

    private Task WaitForSleepPropertyAsync(string state, CancellationToken cancellationToken) =>
        fixture.App.ResourceNotifications.WaitForResourceAsync("pv", e => e.Snapshot.Properties.Any(p =>
            p.Name == LlmHost.AppHost.Hosting.Lifecycle.SleepStatusBuilderExtensions.PropertyName && Equals(p.Value, state)), cancellationToken);
}
