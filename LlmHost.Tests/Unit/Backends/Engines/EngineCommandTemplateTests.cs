using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.Tests.Unit.Backends.Engines;

/// <summary>Operators' own engine command lines: LlmHost's placeholders required, its flags only with them.</summary>
[Trait("Category", "Unit")]
public sealed class EngineCommandTemplateTests
{
    private const string SeedStyle = """
        # vllm_start_cmd.txt
        vllm serve {model} \
          --served-model-name {served_model_name} \
          --host {host} --port {port} \
          --tensor-parallel-size {tensor_parallel_size} \
          --max-num-seqs 128 --enable-chunked-prefill --kv-cache-dtype fp8
        """;

    [Fact]
    public void Parse_SeedStyleWholeCommand_PrefixDroppedContinuationsJoined()
    {
        var (template, problems) = EngineCommandTemplate.Parse(SeedStyle, EngineProfile.Vllm);

        Assert.Empty(problems);
        Assert.Equal(["{model}", "--served-model-name", "{served_model_name}", "--host", "{host}", "--port", "{port}", "--tensor-parallel-size",
            "{tensor_parallel_size}", "--max-num-seqs", "128", "--enable-chunked-prefill", "--kv-cache-dtype", "fp8"], template!.Tokens);
    }

    [Fact]
    public void Render_WholeTokenPlaceholderTakesTheObjectEmbeddedOnesTheText()
    {
        var (template, problems) = EngineCommandTemplate.Parse("{model} --served-model-name={served_model_name} --host {host} --port {port} # the port is allocated", EngineProfile.Vllm);
        var port = new object();

        var args = template!.Render(new Dictionary<string, object?> { ["model"] = "m", ["served_model_name"] = "n", ["host"] = "127.0.0.1", ["port"] = port }).ToList();

        Assert.Empty(problems);
        Assert.Equal("m", args[0]);
        Assert.Equal("--served-model-name=n", args[1]);
        Assert.Same(port, args[^1]);
        Assert.Equal(6, args.Count);
    }

    [Fact]
    public void Parse_SglangAliases_Canonical()
    {
        var (_, problems) = EngineCommandTemplate.Parse("--model m {model} --served-model-name {served_model_name} --host {host} --port {port} --tp-size 2", EngineProfile.Sglang);

        Assert.Contains("--model-path must be followed by {model}: LlmHost sets it", problems);
        Assert.Contains("--tp must be followed by {tensor_parallel_size}: LlmHost sets it", problems);
    }

    [Theory]
    [InlineData("--served-model-name {served_model_name} --host {host} --port {port}", "lacks the placeholder {model}")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port 8000 {port}", "--port must be followed by {port}")]
    [InlineData("{model} --served-model-name x {served_model_name} --host {host} --port {port}", "--served-model-name must be followed by {served_model_name}")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port {port} --enable-lora", "--enable-lora is LlmHost's to set")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port {port} --max-loras 2", "--max-loras is LlmHost's to set")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port {port} --enable-sleep-mode", "--enable-sleep-mode is LlmHost's to set")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port {port} --seed {seed}", "{seed} is not a placeholder LlmHost fills")]
    [InlineData("CUDA_VISIBLE_DEVICES=3 {model} --served-model-name {served_model_name} --host {host} --port {port}", "GPUs are chosen by container.gpus")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port={port}", "{port} must be an argument of its own")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port {port} --enable_lora", "--enable-lora is LlmHost's to set")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port {port} -tp 4", "--tensor-parallel-size must be followed by {tensor_parallel_size}")]
    [InlineData("{model} --served-model-name {served_model_name} --host {host} --port {port} --max_model_len 4096", "--max-model-len must be followed by {max_model_len}")]
    public void Parse_Vllm_EveryProblemNamed(string text, string problem)
    {
        var (template, problems) = EngineCommandTemplate.Parse(text, EngineProfile.Vllm);

        Assert.Null(template);
        Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_Sglang_ModelPathAndTpControlled()
    {
        var (good, none) = EngineCommandTemplate.Parse(
            "python3 -m sglang.launch_server --model-path {model} --served-model-name {served_model_name} --host {host} --port {port} --tp {tensor_parallel_size} --schedule-policy lpm",
            EngineProfile.Sglang);
        var (_, problems) = EngineCommandTemplate.Parse("--model-path {model} --served-model-name {served_model_name} --host {host} --port {port} --tp 4 --lora-paths a=/a", EngineProfile.Sglang);

        Assert.Empty(none);
        Assert.Equal("--model-path", good!.Tokens[0]);
        Assert.Contains("--tp must be followed by {tensor_parallel_size}: LlmHost sets it", problems);
        Assert.Contains(problems, p => p.StartsWith("--lora-paths is LlmHost's", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigValidation_TemplateProblemsWithTheirLine()
    {
        var (_, errors) = ConfigLoader.TryLoad("""
            backends:
              - name: a
                engine: vllm
                model: m
                container: { gpus: [0, 1], tensor_parallel_size: 2 }
                command_template: "{model} --served-model-name {served_model_name} --host {host} --port {port} --max-model-len {max_model_len}"
            """);

        Assert.Contains("line 6: backends[0].command_template: uses {max_model_len}, but max_model_len is not set", errors.Select(e => e.ToString()));
        Assert.Contains("line 6: backends[0].command_template: lacks {tensor_parallel_size}, but container.gpus names several devices", errors.Select(e => e.ToString()));
    }
}
