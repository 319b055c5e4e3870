using LlmHost.Backends.Engines;
using LlmHost.Simulator;

namespace LlmHost.Tests.Unit.Simulator;

[Trait("Category", "Unit")]
public class SimulatorOptionsTests
{
    [Fact]
    public void Parse_FullCommandLine_SetsEveryOption()
    {
        var (o, errors) = SimulatorOptions.Parse(
            ["--engine", "sglang", "--model", "org/m", "--served-model-name", "a", "b", "--lora-modules", "x=/p", "y=/q",
             "--port=9000", "--max-model-len", "2048", "--max-num-seqs", "4", "--ttft-ms", "12.5", "--itl-ms", "3",
             "--seed", "7", "--failure-rate", "0.25", "--failure-types", "rate_limit,server_error", "--drop-rate", "0.1",
             "--startup-delay-ms", "500", "--api-key", "k", "--jitter", "0.2"], _ => null);

        Assert.Empty(errors);
        Assert.Equal(BackendEngine.Sglang, o.Engine);
        Assert.Equal(["a", "b"], o.ServedModelNames);
        Assert.Equal("a", o.PrimaryServedName);
        Assert.Equal([new LoraModule("x", "/p"), new LoraModule("y", "/q")], o.LoraModules);
        Assert.True(o.EnableLora);
        Assert.Equal(9000, o.Port);
        Assert.Equal(2048, o.MaxModelLen);
        Assert.Equal(4, o.MaxNumSeqs);
        Assert.Equal(12.5, o.TtftMs);
        Assert.Equal(0.25, o.FailureRate);
        Assert.Equal(["rate_limit", "server_error"], o.FailureTypes);
        Assert.Equal("k", o.ApiKey);
    }

    [Fact]
    public void Parse_BadValues_ReportsEachProblem()
    {
        var (_, errors) = SimulatorOptions.Parse(
            ["--engine", "tgi", "--max-num-seqs", "0", "--failure-rate", "2", "--failure-types", "boom", "--lora-modules", "noequals", "--wat"], _ => null);

        Assert.Contains("--engine: 'tgi' is not one of vllm, sglang", errors);
        Assert.Contains("--max-num-seqs: '0' is not an integer >= 1", errors);
        Assert.Contains("--failure-rate: '2' is not a number between 0 and 1", errors);
        Assert.Contains(errors, e => e.StartsWith("--failure-types: 'boom' is not one of", StringComparison.Ordinal));
        Assert.Contains("--lora-modules: 'noequals' is not NAME=PATH", errors);
        Assert.Contains("unknown option --wat", errors);
        Assert.Contains("--model is required", errors);
    }

    [Fact]
    public void Parse_VllmRuntimeLoraGate_ComesFromEnvironment()
    {
        var (closed, _) = SimulatorOptions.Parse(["--model", "m"], _ => null);
        var (open, _) = SimulatorOptions.Parse(["--model", "m"], name => name == "VLLM_ALLOW_RUNTIME_LORA_UPDATING" ? "True" : null);

        Assert.False(closed.AllowRuntimeLora);
        Assert.True(open.AllowRuntimeLora);
    }

    [Fact]
    public void Parse_PortFromEnvironment_WhenNoFlag()
    {
        var (o, _) = SimulatorOptions.Parse(["--model", "m"], name => name == "PORT" ? "4321" : null);

        Assert.Equal(4321, o.Port);
    }
}
