using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LlmHost.Tests.Infrastructure;

/// <summary>
/// An engine whose answers a test writes itself: it records every request it gets (headers and body) and answers
/// completions with <see cref="Completions"/> — a well-formed answer by default, or garbage, a truncated body, a
/// dropped connection, CRLF-framed events. For what the simulator, imitating real engines, never does.
/// </summary>
public sealed class FakeEngine : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeEngine(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The answer to <c>POST /v1/chat/completions</c> and <c>/v1/completions</c>.</summary>
    public Func<HttpContext, Task> Completions { get; set; } = JsonAnswer;

    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, string Query = "");

    /// <summary>Starts an engine listing <paramref name="model"/>, and the given adapters (name → base model).</summary>
    public static async Task<FakeEngine> StartAsync(string model = "fake", params (string Name, string Parent)[] adapters)
    {
        var cards = string.Join(",", adapters.Select(a =>
            $$"""{"id":"{{a.Name}}","object":"model","created":0,"owned_by":"sglang","root":"{{a.Name}}","parent":"{{a.Parent}}"}"""));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeEngine? engine = null;
        app.MapGet("/health", () => Results.Ok());
        app.MapGet("/v1/models", () => Results.Text(
            $$"""{"object":"list","data":[{"id":"{{model}}","object":"model","created":0,"owned_by":"vllm","root":"{{model}}"}{{(cards.Length > 0 ? "," + cards : "")}}]}""", "application/json"));
        app.MapPost("/v1/{**path}", async context =>
        {
            var body = await new StreamReader(context.Request.Body, Encoding.UTF8).ReadToEndAsync();
            engine!.Requests.Enqueue(new Received(context.Request.Method, context.Request.Path,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body,
                context.Request.QueryString.Value ?? ""));
            await engine.Completions(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        engine = new FakeEngine(app, new Uri(address));
        return engine;
    }

    /// <summary>A chat completion with usage (9 prompt, 3 completion tokens).</summary>
    public static Task JsonAnswer(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"id":"x","object":"chat.completion","created":0,"model":"fake","choices":[{"index":0,"message":{"role":"assistant","content":"a b c"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}""");
    }

    /// <summary>A stream of three content chunks and the usage chunk, each event ended by <paramref name="eventEnd"/>.</summary>
    public static Func<HttpContext, Task> StreamAnswer(string eventEnd) => async context =>
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var word in (string[])["a", "b", "c"])
        {
            await context.Response.WriteAsync($$$"""data: {"id":"x","object":"chat.completion.chunk","model":"fake","choices":[{"index":0,"delta":{"content":"{{{word}}}"}}]}""" + eventEnd);
            await context.Response.Body.FlushAsync();
        }
        await context.Response.WriteAsync("""data: {"id":"x","object":"chat.completion.chunk","model":"fake","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}""" + eventEnd);
        await context.Response.WriteAsync("data: [DONE]" + eventEnd);
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
