using LlmHost.Backends.Configuration;
using LlmHost.Backends.Engines;

namespace LlmHost.Tests.Unit.Backends.Configuration;

[Trait("Category", "Unit")]
public class ConfigLoaderTests
{
    private const string Minimal = """
        backends:
          - name: vllm-a
            engine: vllm
            model: org/model-a
        """;

    private static string ShippedConfigPath => Path.Combine(RepositoryRoot.Path, "config", "config.yaml");

    private static List<string> Errors(string yaml) => ConfigLoader.TryLoad(yaml).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void LoadFile_ShippedConfig_HasTwoSimulatableBackendsOfDifferentEngines()
    {
        var config = ConfigLoader.LoadFile(ShippedConfigPath);

        Assert.Equal(2, config.Backends.Count);
        Assert.Contains(config.Backends, b => b.EngineKind == BackendEngine.Vllm && b.LoraModules.Count > 0);
        Assert.Contains(config.Backends, b => b.EngineKind == BackendEngine.Sglang);
        Assert.All(config.Backends, b => Assert.Equal(DeploymentMode.Auto, b.ModeKind));
        Assert.NotEqual(config.Backends[0].EffectiveServedModelName, config.Backends[1].EffectiveServedModelName);
        Assert.Equal(["vllm-qwen"], config.Routing.ModelBackendMapping["qwen2.5-7b-instruct"]);
    }

    [Fact]
    public void Load_MinimalFile_AppliesDefaults()
    {
        var config = ConfigLoader.Load(Minimal);

        Assert.Equal(16, config.Gateway.MaxRequestBodyMb);
        Assert.Equal(1, config.Gateway.Replicas);
        Assert.Equal("memory", config.Limits.Store);
        Assert.Equal(10, config.Limits.Defaults.Qps);
        Assert.Equal(TimeSpan.FromSeconds(10), config.Routing.DiscoveryInterval);
        Assert.Equal("org/model-a", config.Backends[0].EffectiveServedModelName);
        Assert.Equal(DeploymentMode.Auto, config.Backends[0].ModeKind);
    }

    [Fact]
    public void TryLoad_UnknownEngine_NamesPathValueChoicesAndLine()
    {
        var errors = Errors("""
            backends:
              - name: a
                engine: vllm
                model: m
              - name: b
                engine: vlm
                model: m
            """);

        Assert.Equal(["line 6: backends[1].engine: 'vlm' is not one of vllm, sglang"], errors);
    }

    [Fact]
    public void TryLoad_WrongScalarType_NamesExpectedType()
    {
        var errors = Errors("gateway:\n  replicas: two\n" + Minimal);

        Assert.Equal(["line 2: gateway.replicas: 'two' is not an integer"], errors);
    }

    [Fact]
    public void TryLoad_UnknownKey_ListsTheKnownKeys()
    {
        var errors = Errors("gateway:\n  replica: 2\n" + Minimal);

        var error = Assert.Single(errors);
        Assert.StartsWith("line 2: gateway.replica: unknown key (expected one of max_request_body_mb, replicas,", error);
    }

    [Fact]
    public void TryLoad_UnknownRoutingPolicy_ReportsItAndTheKnownOnes()
    {
        var errors = Errors("routing:\n  policy: fastest\n  policies:\n    m: cache\n" + Minimal);

        Assert.Equal(
            ["line 2: routing.policy: 'fastest' is not one of least_outstanding, round_robin, random, load_aware, prefix_aware",
             "line 4: routing.policies['m']: 'cache' is not one of least_outstanding, round_robin, random, load_aware, prefix_aware"],
            errors);
    }

    [Fact]
    public void TryLoad_PrefixAndLoadSettingsOutOfRange_ReportsEach()
    {
        var errors = Errors("routing:\n  prefix: { chunk_bytes: 8, max_chunks: 0, index_chunks: 4, balance_abs_threshold: -1, balance_rel_threshold: 0.5 }\n  load: { scrape_interval: 10ms }\n" + Minimal);

        Assert.Equal(6, errors.Count);
        Assert.Contains("line 2: routing.prefix.chunk_bytes: 8 is out of range (16 to 65536)", errors);
        Assert.Contains("line 2: routing.prefix.balance_rel_threshold: 0.5 is out of range (1 to 1000)", errors);
        Assert.Contains(errors, e => e.StartsWith("line 3: routing.load.scrape_interval:", StringComparison.Ordinal));
    }

    [Fact]
    public void TryLoad_FlowControlOutOfRange_ReportsEach()
    {
        var errors = Errors("routing:\n  flow_control: { enabled: true, queue_depth_threshold: 0, kv_cache_threshold: 1.5, max_queued: 0, queue_timeout: 1ms }\n" + Minimal);

        Assert.Equal(4, errors.Count);
        Assert.Contains("line 2: routing.flow_control.queue_depth_threshold: 0 is out of range (1 to 100000)", errors);
        Assert.Contains("line 2: routing.flow_control.kv_cache_threshold: 1.5 is out of range (above 0, at most 1)", errors);
        Assert.Contains(errors, e => e.StartsWith("line 2: routing.flow_control.max_queued:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 2: routing.flow_control.queue_timeout:", StringComparison.Ordinal));
    }

    [Fact]
    public void TryLoad_PrioritySchedulingOnSglang_Refused()
    {
        var errors = Errors("backends:\n  - { name: s, engine: sglang, mode: external, model: m, url: \"http://127.0.0.1:1\", priority_scheduling: true }\n");

        Assert.Contains(errors, e => e.Contains("backends[0].priority_scheduling: is for vLLM engines", StringComparison.Ordinal));
    }

    [Fact]
    public void TryLoad_BadSessionAffinity_ReportsEach()
    {
        var errors = Errors("routing:\n  session_affinity: { header: \"x session\", max_sessions: 1, idle_expiry: 0s }\n" + Minimal);

        Assert.Equal(3, errors.Count);
        Assert.Contains("line 2: routing.session_affinity.header: must be a header name of letters, digits, '-' and '_' (at most 64)", errors);
        Assert.Contains("line 2: routing.session_affinity.max_sessions: 1 is out of range (16 to 10000000)", errors);
    }

    [Fact]
    public void PolicyFor_ModelOverride_WinsAndAdaptersFollowTheirBaseModel()
    {
        var routing = new RoutingSettings { Policy = "random", Policies = { ["base"] = "round_robin" } };

        Assert.Equal(RoutingPolicy.Random, routing.PolicyFor("other"));
        Assert.Equal(RoutingPolicy.RoundRobin, routing.PolicyFor("base"));
        Assert.Equal(RoutingPolicy.RoundRobin, routing.PolicyFor("sql-lora", parent: "base"));
        Assert.Equal(RoutingPolicy.LeastOutstanding, new RoutingSettings().PolicyFor("any"));
    }

    [Fact]
    public void TryLoad_SeveralProblems_ReportsEveryOne()
    {
        var errors = Errors("""
            gateway: { max_request_body_mb: 0 }
            limits: { store: disk }
            routing:
              discovery_interval: soon
              model_backend_mapping:
                m: [missing]
            backends:
              - name: Bad_Name
                engine: sglang
                mode: cloud
                model: ""
            """);

        Assert.Contains("line 1: gateway.max_request_body_mb: 0 is out of range (1 to 1024)", errors);
        Assert.Contains("line 2: limits.store: 'disk' is not one of memory, redis", errors);
        Assert.Contains("line 4: routing.discovery_interval: 'soon' is not a duration such as 500ms, 10s, 5m or 1h", errors);
        Assert.Contains("line 6: routing.model_backend_mapping['m']: backend 'missing' is not defined in backends", errors);
        Assert.Contains(errors, e => e.StartsWith("line 8: backends[0].name: 'Bad_Name' must be lower-case", StringComparison.Ordinal));
        Assert.Contains("line 10: backends[0].mode: 'cloud' is not one of auto, container, process, simulator, external", errors);
        Assert.Contains("line 11: backends[0].model: is required", errors);
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void TryLoad_BadLimitsAndTokenizer_ReportsEach()
    {
        var errors = Errors("""
            limits: { lease_ttl: 1s, default_max_tokens: 0, redis: { connection_string: "localhost:6379" } }
            backends:
              - { name: m, engine: vllm, model: m, tokenizer: gpt5 }
            """);

        Assert.Contains("line 1: limits.default_max_tokens: 0 is out of range (1 to 100000000)", errors);
        Assert.Contains(errors, e => e.StartsWith("line 1: limits.lease_ttl:", StringComparison.Ordinal));
        Assert.Contains("line 3: backends[0].tokenizer: 'gpt5' is neither a known encoding (o200k_base, cl100k_base) nor a tokenizer.json path", errors);
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void TryLoad_ExternalWithoutUrl_IsRejected()
    {
        var errors = Errors("backends:\n  - { name: ext, engine: vllm, mode: external, model: m }\n");

        Assert.Equal(["line 2: backends[0].url: is required when mode is external"], errors);
    }

    [Fact]
    public void TryLoad_ExternalWithRelativeUrl_IsRejected()
    {
        var errors = Errors("backends:\n  - { name: ext, engine: vllm, mode: external, model: m, url: 'gpu-box:8000' }\n");

        Assert.Equal(["line 2: backends[0].url: 'gpu-box:8000' is not an absolute http(s) URL"], errors);
    }

    [Fact]
    public void TryLoad_DuplicateBackendNamesAndAdapters_AreRejected()
    {
        var errors = Errors("""
            backends:
              - name: a
                engine: vllm
                model: m
                lora_modules:
                  - { name: x, path: /p }
                  - { name: x, path: /q }
              - name: a
                engine: vllm
                model: m
            """);

        Assert.Contains("line 7: backends[0].lora_modules[1].name: 'x' is listed twice", errors);
        Assert.Contains("line 8: backends[1].name: 'a' is used by another backend", errors);
    }

    [Fact]
    public void TryLoad_LoraSection_EveryProblemReportedWithItsLine()
    {
        var errors = Errors("""
            backends:
              - name: a
                engine: vllm
                model: m
                lora_modules: [{ name: x, path: /p }, { name: y, path: /q }]
                lora: { max_loaded: 1, max_rank: 12, spread_at: 0, load_timeout: 0s, wait_timeout: 0s }
              - name: b
                engine: sglang
                model: m
                lora_modules: [{ name: z, path: /p }]
                lora: { enabled: false }
            """);

        Assert.Contains(errors, e => e.StartsWith("line 6: backends[0].lora.max_loaded: 1 is fewer than the 2 adapters", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 6: backends[0].lora.max_rank: 12 is not one of 1, 8, 16", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 6: backends[0].lora.spread_at: 0 is out of range", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 6: backends[0].lora.load_timeout:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 6: backends[0].lora.wait_timeout:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 11: backends[1].lora.enabled: is false, but lora_modules lists adapters", StringComparison.Ordinal));
    }

    [Fact]
    public void TryLoad_AdapterDeclaredForTwoBaseModels_IsRejected()
    {
        var errors = Errors("""
            backends:
              - { name: a, engine: vllm, model: m1, lora_modules: [{ name: x, path: /p }] }
              - { name: b, engine: vllm, model: m2, lora_modules: [{ name: x, path: /p }] }
              - { name: c, engine: vllm, model: m1, lora_modules: [{ name: x, path: /q }] }
            """);

        Assert.Equal(["line 3: backends[1].lora_modules[0].name: 'x' is declared for 'm1' by another backend: one adapter name, one base model"], errors);
    }

    [Fact]
    public void TryLoad_SleepSection_EveryProblemWithItsLine()
    {
        var errors = Errors("""
            backends:
              - { name: a, engine: sglang, model: m, sleep: { enabled: true, level: 2 } }
              - { name: b, engine: vllm, model: m, sleep: { level: 3, idle_after: 10m } }
              - { name: c, engine: vllm, model: m, sleep: { enabled: true, idle_after: 10m, wake_timeout: 0s } }
              - { name: d, engine: sglang, model: m, sleep: { enabled: true } }
            """);

        Assert.Contains("line 2: backends[0].sleep.level: 2: sglang sleeps at level 1 only (its memory released, the weights kept in CPU memory)", errors);
        Assert.Contains("line 3: backends[1].sleep.level: 3 is not 1 or 2", errors);
        Assert.Contains("line 3: backends[1].sleep.idle_after: is set, but sleep.enabled is false", errors);
        Assert.Contains(errors, e => e.StartsWith("line 4: backends[2].sleep.wake_timeout:", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void TryLoad_LoraDefaults_RuntimeLoadingOnWithFourSlots()
    {
        var (config, errors) = ConfigLoader.TryLoad("backends:\n  - { name: a, engine: vllm, model: m }\n");

        Assert.Empty(errors);
        var lora = config!.Backends[0].Lora;
        Assert.True(lora.Enabled);
        Assert.Equal((4, 16, 16), (lora.MaxLoaded, lora.MaxRank, lora.SpreadAt));
        Assert.Equal((TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(30)), (lora.LoadTimeout, lora.WaitTimeout));
    }

    [Fact]
    public void TryLoad_NoBackends_IsRejected()
    {
        Assert.Equal(["backends: at least one backend is required"], Errors("gateway: { replicas: 1 }\n"));
    }

    [Fact]
    public void TryLoad_SyntaxError_ReportsLine()
    {
        var error = Assert.Single(Errors("backends:\n  - name: a\n   engine: [vllm\n"));

        Assert.StartsWith("line ", error);
        Assert.Contains("YAML syntax error", error);
    }

    [Fact]
    public void TryLoad_EmptyOrScalarDocument_IsRejected()
    {
        Assert.Equal(["the file is empty"], Errors(""));
        Assert.Equal(["line 1: the top level must be a mapping (gateway:, backends:, ...)"], Errors("just text"));
    }

    [Fact]
    public void LoadFile_MissingFile_ThrowsConfigExceptionNamingThePath()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile("/nonexistent/config.yaml"));

        Assert.Contains("/nonexistent/config.yaml", ex.Message);
        Assert.Single(ex.Errors);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("10s", 10_000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("1h", 3_600_000)]
    public void DurationTryParse_ValidText_GivesMilliseconds(string text, double milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("10d")]
    public void DurationTryParse_InvalidText_Fails(string text) => Assert.False(Duration.TryParse(text, out _));

    [Fact]
    public void InstanceNames_SeveralReplicas_AreNumberedFromOne()
    {
        var backend = new BackendSettings { Name = "vllm-a", Replicas = 3 };

        Assert.Equal(["vllm-a-1", "vllm-a-2", "vllm-a-3"], backend.InstanceNames());
        Assert.Equal(["vllm-a"], new BackendSettings { Name = "vllm-a" }.InstanceNames());
    }

    [Fact]
    public void TryLoad_BadGatewayAndLogSettings_ReportsEach()
    {
        var errors = Errors("""
            gateway: { forward_headers: [Authorization, X-Forwarded-Host, "bad header", X-Tenant], server: { request_body_timeout: 0s } }
            logging: { access_log: { max_file_size: 100MB, max_total_size: 10MB }, audit_log: { max_file_size: 10, retained_files: 0 } }
            backends:
              - { name: m, engine: vllm, model: m }
            """);

        Assert.Contains(errors, e => e.StartsWith("line 1: gateway.forward_headers[0]: 'Authorization' is never forwarded", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 1: gateway.forward_headers[1]: 'X-Forwarded-Host' is never forwarded", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 1: gateway.forward_headers[2]: 'bad header' is not a header name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("line 1: gateway.server.request_body_timeout:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("logging.access_log.max_total_size: '10MB' is not a size of at least max_file_size", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("logging.audit_log.max_file_size: '10' is not a size of 1KB or more", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("logging.audit_log.retained_files: must be at least 1", StringComparison.Ordinal));
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public void OperatorOnlyFields_FitTheInspectorsDuplicateBits() =>
        // The inspector gives each operator-only field a bit from 30 to 63 of a long.
        Assert.InRange(LlmHost.Backends.Engines.EngineProfile.AllOperatorOnlyFields.Count, 1, 34);
}
