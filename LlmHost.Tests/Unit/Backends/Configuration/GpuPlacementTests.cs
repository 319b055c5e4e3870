using LlmHost.Backends.Configuration;

namespace LlmHost.Tests.Unit.Backends.Configuration;

/// <summary><c>container.gpus</c>: one meaning, and a placement the engines can start with, checked with lines.</summary>
[Trait("Category", "Unit")]
public sealed class GpuPlacementTests
{
    private static LlmHostConfig Load(string yaml)
    {
        var (config, errors) = ConfigLoader.TryLoad(yaml);
        Assert.Empty(errors);
        return config!;
    }

    private static List<string> Placement(string yaml) =>
        [.. ConfigValidator.ValidateGpuPlacement(Load(yaml), _ => true).Select(e => e.ToString())];

    [Theory]
    [InlineData("all", true, new int[0])]
    [InlineData("2", false, new[] { 0, 1 })]
    [InlineData("[3]", false, new[] { 3 })]
    [InlineData("[0, 2]", false, new[] { 0, 2 })]
    [InlineData("'0,1'", false, new[] { 0, 1 })]
    [InlineData("device=3", false, new[] { 3 })]
    public void Gpus_EachForm_OneMeaning(string gpus, bool all, int[] devices)
    {
        var config = Load($"backends:\n  - {{ name: a, engine: vllm, model: m, container: {{ gpus: {gpus}, tensor_parallel_size: {Math.Max(1, devices.Length)} }} }}\n");

        var selection = config.Backends[0].Container.Gpus;
        Assert.Equal(all, selection.IsAll);
        Assert.Equal(devices, selection.Devices);
    }

    [Theory]
    [InlineData("x", "expected all, a count (2: devices 0 and 1), or device ids ([0, 1])")]
    [InlineData("[a]", "'a' is not a GPU device id")]
    [InlineData("0", "expected all, a count")]
    public void Gpus_Invalid_ErrorWithLine(string gpus, string message)
    {
        var (_, errors) = ConfigLoader.TryLoad($"backends:\n  - name: a\n    engine: vllm\n    model: m\n    container:\n      gpus: {gpus}\n");

        var error = Assert.Single(errors);
        Assert.StartsWith("line 6: backends[0].container.gpus", error.ToString());
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void TensorParallel_NotMatchingTheDevices_Rejected()
    {
        var (_, errors) = ConfigLoader.TryLoad("backends:\n  - { name: a, engine: vllm, model: m, container: { gpus: [0, 1, 2], tensor_parallel_size: 2 } }\n");

        Assert.Equal(["line 2: backends[0].container.tensor_parallel_size: 2 does not match the 3 GPU(s) of gpus: [0, 1, 2]"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Placement_SharedDeviceWithoutShares_EveryEngineWithoutOneNamed()
    {
        var errors = Placement("""
            backends:
              - name: a
                engine: vllm
                model: m
                container: { gpus: [0] }
              - name: b
                engine: sglang
                model: n
                container: { gpus: [0] }
            """);

        Assert.Equal([
            "line 5: backends[0].container.gpu_memory_utilization: is not set, but GPU 0 is shared by a, b: give each engine its share (the shares on one GPU must sum to at most 0.95)",
        ], errors);
    }

    [Fact]
    public void Placement_SharesAboveOne_Rejected_AllSharesEveryDevice()
    {
        var errors = Placement("""
            backends:
              - { name: a, engine: vllm, model: m, container: { gpus: all, gpu_memory_utilization: 0.6 } }
              - { name: b, engine: sglang, model: n, container: { gpus: [1], gpu_memory_utilization: 0.5 } }
            """);

        Assert.Equal(["line 3: backends[1].container.gpu_memory_utilization: the engines on GPU 1 (a, b) take 1.1 of its memory together: at most 0.95 (each engine's CUDA context takes some besides its share)"], errors);
    }

    [Fact]
    public void Placement_ReplicasOnOneDevice_CountEach()
    {
        var errors = Placement("backends:\n  - { name: a, engine: vllm, model: m, replicas: 2, container: { gpus: [0], gpu_memory_utilization: 0.6 } }\n");

        Assert.Equal(["line 2: backends[0].container.gpu_memory_utilization: the engines on GPU 0 (a (replica 1), a (replica 2)) take 1.2 of its memory together: at most 0.95 (each engine's CUDA context takes some besides its share)"], errors);
    }

    [Fact]
    public void Placement_DisjointDevicesOrSharesWithinOne_Accepted()
    {
        Assert.Empty(Placement("""
            backends:
              - { name: a, engine: vllm, model: m, container: { gpus: [0] } }
              - { name: b, engine: sglang, model: n, container: { gpus: [1, 2], tensor_parallel_size: 2 } }
              - { name: c, engine: vllm, model: o, container: { gpus: [3], gpu_memory_utilization: 0.5 } }
              - { name: d, engine: vllm, model: p, container: { gpus: [3], gpu_memory_utilization: 0.45 } }
              - { name: e, engine: vllm, model: q, container: { gpus: [4], gpu_memory_utilization: 0.5 } }
              - { name: f, engine: sglang, model: r, container: { gpus: [4], gpu_memory_utilization: 0.4 } }
            """));
    }

    [Fact]
    public void Placement_OnlyBackendsOnGpus_AreChecked()
    {
        var config = Load("backends:\n  - { name: a, engine: vllm, model: m }\n  - { name: b, engine: vllm, model: n }\n");

        Assert.Empty(ConfigValidator.ValidateGpuPlacement(config, _ => false));
        Assert.NotEmpty(ConfigValidator.ValidateGpuPlacement(config, _ => true));
    }

    [Fact]
    public void Placement_AdaptersUnderTheMountWithoutAHostFolder_Rejected()
    {
        var errors = Placement("backends:\n  - name: a\n    engine: vllm\n    model: m\n    lora_modules: [{ name: s, path: /adapters/s }]\n");

        Assert.Equal(["line 5: backends[0].lora_modules[0].path: '/adapters/s' is under the container's /adapters, but container.adapters_host_path is not set: nothing is mounted there"], errors);
    }

    [Fact]
    public void Placement_ShippedConfig_StartsOnGpus()
    {
        var shipped = ConfigLoader.LoadFile(Path.Combine(RepositoryRoot.Path, "config", "config.yaml"));

        Assert.Empty(ConfigValidator.ValidateGpuPlacement(shipped, _ => true));
    }
}
