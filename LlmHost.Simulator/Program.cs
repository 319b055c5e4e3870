using LlmHost.Simulator;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(SimulatorOptions.Usage);
    return 0;
}
if (args.Contains("--calibrate"))
{
    // The engine model against published vLLM measurements (docs/SIMULATOR.md, "Calibration").
    Console.Write(LlmHost.Simulator.Engine.Model.Calibration.Table(LlmHost.Simulator.Engine.Model.RooflineModelDefaults.Shipped));
    return 0;
}

var (options, errors) = SimulatorOptions.Parse(args);
if (errors.Count > 0)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"error: {error}");
    }
    Console.Error.WriteLine(SimulatorOptions.Usage);
    return 2;
}

var app = SimulatorApp.Build(options);
await app.RunAsync();
return 0;
