using System.Net.Http.Json;
using System.Text.Json;

namespace LlmHost.AppHost.Hosting.Gateway;

/// <summary>
/// What the Aspire dashboard shows on a gateway resource: its URL as the OpenAI base URL clients use, and a "Send test
/// chat" command that sends one chat completion through the gateway (auth, limits, routing, an engine) and shows the
/// answer — the quickest proof that the whole stack serves. The edge (Nginx) carries the same command, through it.
/// </summary>
public static class GatewayDashboardBuilderExtensions
{
    public const string TestChatCommand = "send-test-chat";

    /// <summary>The key the command sends: the repository's development key unless the <c>test-chat-key</c> parameter says otherwise.</summary>
    public const string TestChatKeyParameter = "test-chat-key";
    public const string DevelopmentKey = "sk-llmhost-dev-LocalDevelopmentOnlyReplaceBeforeDeploying";

    private const int MaxAnswerLength = 300;

    public static IResourceBuilder<ProjectResource> WithOpenAIBaseUrl(this IResourceBuilder<ProjectResource> gateway) =>
        gateway.WithHttpUrl("/v1", "OpenAI base URL (/v1)");

    /// <summary>
    /// The command on a gateway or the edge (its <c>http</c> endpoint), asking for <paramref name="model"/> (the first
    /// backend's served name) with the <paramref name="key"/> parameter; <paramref name="through"/> says the path in its description.
    /// </summary>
    public static IResourceBuilder<T> WithTestChatCommand<T>(this IResourceBuilder<T> resource, string model,
        IResourceBuilder<ParameterResource> key, string through = "the gateway") where T : IResourceWithEndpoints =>
        resource.WithHttpCommand("/v1/chat/completions", "Send test chat", endpointName: "http", commandName: TestChatCommand, commandOptions: new HttpCommandOptions
        {
            Method = HttpMethod.Post,
            Description = $"Send one chat completion for `{model}` through {through} and show the answer.",
            IconName = "Chat",
            PrepareRequest = async context =>
            {
                var secret = await key.Resource.GetValueAsync(context.CancellationToken);
                context.Request.Headers.Authorization = new("Bearer", secret);
                context.Request.Content = JsonContent.Create(new { model, messages = new[] { new { role = "user", content = "Say hello in five words." } }, max_tokens = 32 });
            },
            GetCommandResult = async context =>
            {
                var body = await context.Response.Content.ReadAsStringAsync(context.CancellationToken);
                if (!context.Response.IsSuccessStatusCode)
                {
                    return CommandResults.Failure($"{(int)context.Response.StatusCode}: {Cut(body)}");
                }
                return CommandResults.Success($"{model} answered: {Cut(AnswerOf(body))}");
            },
        });

    private static string AnswerOf(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return body;
        }
    }

    private static string Cut(string text) => text.Length <= MaxAnswerLength ? text : text[..MaxAnswerLength] + "…";
}
