namespace LlmHost.AppHost.Hosting.Prometheus;

/// <summary>A scrape job: the resources (or fixed addresses) Prometheus pulls <c>/metrics</c> from.</summary>
public sealed record ScrapeJob(string Name, IReadOnlyList<EndpointReference> Endpoints, IReadOnlyList<string> StaticTargets, IReadOnlyDictionary<string, string> Labels);
