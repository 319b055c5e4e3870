using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;
using Microsoft.Extensions.Logging;

namespace LlmHost.AppHost.Hosting.Lora;

/// <summary>
/// "Load adapter" and "Unload adapter" on an engine resource in the Aspire dashboard (and <c>aspire resource … </c>
/// from the CLI): they call the engine's own adapter routes through <see cref="EngineLoraClient"/>, the client the
/// gateway's admin API uses, and report the engine's answer. The gateway sees the change at its next discovery round;
/// to make an adapter part of the gateway's catalogue (loaded on demand, on every replica), use <c>POST /admin/adapters</c>.
/// </summary>
public static class AdapterCommandsBuilderExtensions
{
    public const string LoadCommand = "load-adapter";
    public const string UnloadCommand = "unload-adapter";

    /// <summary>How long the engine may take to load an adapter before the command reports a timeout.</summary>
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(5) };

    /// <summary>Adds both commands when the backend has LoRA enabled; they are enabled while the engine runs.</summary>
    public static IResourceBuilder<T> WithAdapterCommands<T>(this IResourceBuilder<T> builder, BackendSettings backend) where T : IResourceWithEndpoints
    {
        if (!backend.Lora.Enabled)
        {
            return builder;
        }
        var endpoint = builder.Resource.GetEndpoint("http");
        builder.WithCommand(LoadCommand, "Load adapter", context => LoadAsync(context, endpoint, backend), new CommandOptions
        {
            Description = $"Load a LoRA adapter on this {backend.Profile.Name} engine (its own /load_lora_adapter route).",
            IconName = "ArrowUpload",
            UpdateState = WhileRunning,
            Arguments = [NameInput(), PathInput()],
            ValidateArguments = Validate,
        });
        builder.WithCommand(UnloadCommand, "Unload adapter", context => UnloadAsync(context, endpoint, backend), new CommandOptions
        {
            Description = "Unload a LoRA adapter from this engine.",
            IconName = "Delete",
            UpdateState = WhileRunning,
            Arguments = [NameInput()],
            ValidateArguments = Validate,
        });
        return builder;
    }

    internal static ResourceCommandState WhileRunning(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    private static InteractionInput NameInput() => new()
    {
        Name = "name",
        Label = "Adapter name",
        Description = "What clients will put in model.",
        InputType = InputType.Text,
        Required = true,
        MaxLength = 128,
    };

    private static InteractionInput PathInput() => new()
    {
        Name = "path",
        Label = "Path",
        Description = "Where the engine finds the adapter: a directory it can read, or a Hugging Face repository id.",
        InputType = InputType.Text,
        Required = true,
        MaxLength = AdapterName.MaxPathLength,
    };

    internal static Task Validate(InputsDialogValidationContext context)
    {
        if (context.Inputs.TryGetByName("name", out var name) && !AdapterName.IsValid(name.Value))
        {
            context.AddValidationError(name, $"Must be {AdapterName.Rule}.");
        }
        if (context.Inputs.TryGetByName("path", out var path) && string.IsNullOrWhiteSpace(path.Value))
        {
            context.AddValidationError(path, "Required.");
        }
        return Task.CompletedTask;
    }

    private static async Task<ExecuteCommandResult> LoadAsync(ExecuteCommandContext context, EndpointReference endpoint, BackendSettings backend)
    {
        var name = context.Arguments.GetString("name") ?? "";
        var path = context.Arguments.GetString("path") ?? "";
        return await CallAsync(context, $"load '{name}'", () =>
            EngineLoraClient.LoadAsync(Http, endpoint.Url, backend.ApiKeyFromEnvironment(), backend.Profile, name, path, context.CancellationToken));
    }

    private static async Task<ExecuteCommandResult> UnloadAsync(ExecuteCommandContext context, EndpointReference endpoint, BackendSettings backend)
    {
        var name = context.Arguments.GetString("name") ?? "";
        return await CallAsync(context, $"unload '{name}'", () =>
            EngineLoraClient.UnloadAsync(Http, endpoint.Url, backend.ApiKeyFromEnvironment(), backend.Profile, name, context.CancellationToken));
    }

    internal static async Task<ExecuteCommandResult> CallAsync(ExecuteCommandContext context, string what, Func<Task<LoraCallResult>> call)
    {
        if (!AdapterName.IsValid(context.Arguments.GetString("name")))
        {
            return CommandResults.Failure($"The adapter name must be {AdapterName.Rule}.");
        }
        try
        {
            var result = await call();
            if (result.Succeeded)
            {
                context.Logger.LogInformation("{Resource}: {What}: {Message}", context.ResourceName, what, result.Message);
                return CommandResults.Success($"{what}: {result.Message}");
            }
            var hint = result.RuntimeLoraDisabled ? " (the engine was started without runtime LoRA)" : "";
            context.Logger.LogWarning("{Resource}: {What} failed: {Status} {Message}", context.ResourceName, what, result.Status, result.Message);
            return CommandResults.Failure($"{what} failed{hint}: {result.Status} {result.Message}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return CommandResults.Failure($"{what}: the engine did not answer ({ex.Message})");
        }
    }
}
