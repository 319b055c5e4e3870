using LlmHost.AppHost.Hosting.Lora;
using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;
using Microsoft.Extensions.Logging;

namespace LlmHost.AppHost.Hosting.Lifecycle;

/// <summary>
/// "Sleep" and "Wake" on an engine resource with <c>sleep.enabled</c>, calling the engine's sleep routes through
/// <see cref="EngineSleepClient"/> (the client the gateway uses). The gateway learns of a sleep the dashboard made
/// at its next check (about 2 s), and wakes the engine for the next request as it does for its own.
/// </summary>
public static class SleepCommandsBuilderExtensions
{
    public const string SleepCommand = "sleep-engine";
    public const string WakeCommand = "wake-engine";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };

    public static IResourceBuilder<T> WithSleepCommands<T>(this IResourceBuilder<T> builder, BackendSettings backend) where T : IResourceWithEndpoints
    {
        if (!backend.Sleep.Enabled || backend.Profile.Sleep is not { } sleep)
        {
            return builder;
        }
        var endpoint = builder.Resource.GetEndpoint("http");
        var apiKey = backend.ApiKeyFromEnvironment();
        builder.WithCommand(SleepCommand, "Sleep", context => RunAsync(context, $"sleep (level {backend.Sleep.Level})",
            token => EngineSleepClient.SleepAsync(Http, endpoint.Url, apiKey, sleep, backend.Sleep.Level, token)), new CommandOptions
        {
            Description = $"Put the engine to sleep (level {backend.Sleep.Level}): GPU memory freed, the next request through the gateway wakes it.",
            IconName = "WeatherMoon",
            UpdateState = AdapterCommandsBuilderExtensions.WhileRunning,
        });
        builder.WithCommand(WakeCommand, "Wake", context => RunAsync(context, "wake",
            token => EngineSleepClient.WakeAsync(Http, endpoint.Url, apiKey, sleep, backend.Sleep.Level, token)), new CommandOptions
        {
            Description = "Wake the engine (after a level-2 sleep, its weights are reloaded too).",
            IconName = "WeatherSunny",
            UpdateState = AdapterCommandsBuilderExtensions.WhileRunning,
        });
        return builder;
    }

    internal static async Task<ExecuteCommandResult> RunAsync(ExecuteCommandContext context, string what, Func<CancellationToken, Task<EngineCallResult>> call)
    {
        try
        {
            var result = await call(context.CancellationToken);
            if (result.Succeeded)
            {
                context.Logger.LogInformation("{Resource}: {What}: {Message}", context.ResourceName, what, result.Message);
                return CommandResults.Success($"{what}: done");
            }
            context.Logger.LogWarning("{Resource}: {What} failed: {Status} {Message}", context.ResourceName, what, result.Status, result.Message);
            return CommandResults.Failure($"{what} failed: {result.Status} {result.Message}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return CommandResults.Failure($"{what}: the engine did not answer ({ex.Message})");
        }
    }
}
