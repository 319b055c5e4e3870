using LlmHost.AppHost.Hosting.Grafana;
using LlmHost.AppHost.Hosting.Prometheus;
using LlmHost.Backends.Configuration;

namespace LlmHost.AppHost.Stack;

/// <summary>
/// Stage 5: Prometheus scraping every gateway replica and backend, then Grafana showing it (a container only, and only
/// with Prometheus running).
/// </summary>
internal static class MonitoringStage
{
    /// <summary>Decided before the gateways are added: a Prometheus container scrapes them from a container network.</summary>
    public static PlacementChoice PlanPrometheus(StackContext context) =>
        PlacementLadder.Choose(context, LlmHostStack.Wanted(context.Options.Prometheus, context.Config.Monitoring.Prometheus.Enabled), "prometheus", "prometheus");

    public static void Add(StackContext context)
    {
        AddPrometheus(context);
        AddGrafana(context);
    }

    private static void AddPrometheus(StackContext context)
    {
        var choice = context.Prometheus;
        if (choice.Placement == Placement.LeftOut)
        {
            context.Notice(choice.Reason == "switched off" ? "prometheus: switched off" : $"prometheus: left out — {choice.Reason}");
            return;
        }
        var settings = context.Config.Monitoring.Prometheus;
        var port = StackContext.NullIfZero(context.Options.PrometheusPort ?? settings.Port);
        var template = Path.Combine(context.RepositoryRoot, "monitoring", "prometheus", "prometheus.yml.template");
        var gateways = context.Resources.Gateways;
        List<ScrapeJob> jobs = [new(LlmHostStack.GatewayName, [.. gateways.Select(g => g.GetEndpoint("http"))], [], new Dictionary<string, string> { ["role"] = "gateway" }), .. context.BackendScrapeJobs];
        var interval = Duration.Format(settings.ScrapeInterval);
        IResource prometheus = choice.Placement == Placement.Executable
            ? WaitForGateways(context.Builder.AddPrometheusExecutable(LlmHostStack.PrometheusName, choice.ExecutablePath!, context.RunDirectory, port).WithScrapeJobs(template, interval, jobs), gateways)
            : WaitForGateways(context.Builder.AddPrometheus(LlmHostStack.PrometheusName, context.RunDirectory, port).WithScrapeJobs(template, interval, jobs), gateways);
        context.Resources.Prometheus = prometheus;
        context.Notice(choice.Placement == Placement.Executable
            ? $"prometheus: {choice.Reason}, listening on port {port?.ToString() ?? "chosen at start"}"
            : $"prometheus: {choice.Reason}");
    }

    // Scrape targets' ports are only known once they started; waiting for the gateways (which wait for the simulators) suffices.
    private static T WaitForGateways<T>(IResourceBuilder<T> prometheus, List<IResourceBuilder<ProjectResource>> gateways) where T : IPrometheusResource
    {
        foreach (var gateway in gateways)
        {
            prometheus.WaitFor(gateway);
        }
        return prometheus.Resource;
    }

    private static void AddGrafana(StackContext context)
    {
        var wanted = LlmHostStack.Wanted(context.Options.Grafana, context.Config.Monitoring.Grafana.Enabled);
        if (wanted && context.Resources.Prometheus is not IPrometheusResource)
        {
            context.Notice("grafana: left out — Prometheus is not running, so there is nothing to show");
            return;
        }
        var choice = PlacementLadder.Choose(context, wanted, executable: null, package: null);
        if (choice.Placement == Placement.LeftOut)
        {
            context.Notice(wanted ? $"grafana: left out — {choice.Reason}; the dashboards are in monitoring/grafana/dashboards" : "grafana: switched off");
            return;
        }
        var prometheus = context.Builder.CreateResourceBuilder((IPrometheusResource)context.Resources.Prometheus!);
        var port = StackContext.NullIfZero(context.Config.Monitoring.Grafana.Port);
        var grafana = context.Builder.AddGrafana(LlmHostStack.GrafanaName, Path.Combine(context.RepositoryRoot, "monitoring", "grafana"), port)
            .WithPrometheus(prometheus);
        context.Resources.Grafana = grafana.Resource;
        context.Notice($"grafana: container, port {port?.ToString() ?? "chosen at start"}, user admin, password in the '{GrafanaBuilderExtensions.PasswordParameterName}' parameter");
    }
}
