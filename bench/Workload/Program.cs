using LlmHost.Workload;
using LlmHost.Workload.Definition;

const string Usage = """
    LlmHost.Workload — replays a workload against an OpenAI-compatible URL and reports what users feel.

      run --url URL --workload FILE.yaml (--key KEY ... | --keys-file FILE)
          [--label NAME] [--time-scale F] [--rate-scale F] [--duration 60s] [--drain 60s]
          [--engine-metrics URL,...] [--direct URL,...] [--out DIR] [--name NAME]
      report --out DIR [--name NAME] RUN.json ...
      check FILE.yaml ...

    run writes NAME.json, NAME.md and NAME.svg into --out (default bench/results); report puts several runs side by
    side in one table and one plot. See docs/BENCHMARKS.md ("Workload tool").
    """;

try
{
    return args.Length == 0 ? Fail(Usage) : args[0] switch
    {
        "run" => await Commands.RunAsync(args[1..]),
        "report" => Commands.Report(args[1..]),
        "check" => Commands.Check(args[1..]),
        "--help" or "-h" or "help" => Print(Usage),
        _ => Fail($"unknown command '{args[0]}'{Environment.NewLine}{Usage}"),
    };
}
catch (Exception ex) when (ex is ArgumentException or WorkloadException or IOException or InvalidDataException)
{
    return Fail($"error: {ex.Message}");
}

static int Print(string text)
{
    Console.WriteLine(text);
    return 0;
}

static int Fail(string text)
{
    Console.Error.WriteLine(text);
    return 2;
}
