using System.Diagnostics;
using System.Text;
using LlmHost.Backends.Engines;
using LlmHost.Simulator.Engine;

namespace LlmHost.Simulator.Metrics;

/// <summary>
/// The imitated engine's Prometheus metrics, with vLLM's (<c>vllm:*</c>, labels <c>model_name</c> and
/// <c>engine</c>) or SGLang's (<c>sglang:*</c>, label <c>model_name</c>) names and buckets.
/// </summary>
public sealed class EngineMetrics
{
    public const int BlockSize = 16;
    private static readonly string[] FinishReasons = ["stop", "length", "abort", "error"];
    private static readonly double[] TtftBuckets =
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
    private static readonly double[] ItlBuckets =
        [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
    private static readonly double[] RequestBuckets =
        [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

    private readonly SimulatorOptions _options;
    private readonly Scheduler _scheduler;
    private readonly ModelRegistry _models;
    private readonly string _labels;
    private readonly string _prefix;
    private readonly long[] _finished = new long[FinishReasons.Length];
    private readonly long _kvCapacityTokens;
    private long _promptTokens;
    private long _generationTokens;
    private long _lastThroughputTokens;
    private long _lastThroughputTimestamp = Stopwatch.GetTimestamp();

    private readonly LlmHost.Simulator.Engine.Model.EngineLoop? _engine;

    public EngineMetrics(SimulatorOptions options, Scheduler scheduler, ModelRegistry models, LlmHost.Simulator.Engine.Model.EngineLoop? engine = null)
    {
        _options = options;
        _engine = engine;
        _scheduler = scheduler;
        _models = models;
        var vllm = options.Engine == BackendEngine.Vllm;
        _prefix = vllm ? "vllm:" : "sglang:";
        var model = PrometheusText.Escape(options.PrimaryServedName);
        _labels = vllm ? $"model_name=\"{model}\",engine=\"0\"" : $"model_name=\"{model}\"";
        _kvCapacityTokens = (long)options.MaxModelLen * 8;

        TimeToFirstToken = new($"{_prefix}time_to_first_token_seconds", "Histogram of time to first token in seconds.", TtftBuckets);
        InterTokenLatency = new($"{_prefix}inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ItlBuckets);
        EndToEnd = new($"{_prefix}e2e_request_latency_seconds", "Histogram of end to end request latency in seconds.", RequestBuckets);
        QueueTime = new(vllm ? "vllm:request_queue_time_seconds" : "sglang:queue_time_seconds", "Histogram of time spent waiting in the queue in seconds.", RequestBuckets);
        PromptTokensPerRequest = new("vllm:request_prompt_tokens", "Number of prefill tokens processed.", Histogram.OneTwoFive(options.MaxModelLen));
        GenerationTokensPerRequest = new("vllm:request_generation_tokens", "Number of generation tokens processed.", Histogram.OneTwoFive(options.MaxModelLen));
    }

    public Histogram TimeToFirstToken { get; }
    public Histogram InterTokenLatency { get; }
    public Histogram EndToEnd { get; }
    public Histogram QueueTime { get; }
    public Histogram PromptTokensPerRequest { get; }
    public Histogram GenerationTokensPerRequest { get; }

    public long FinishedCount(string reason) => Volatile.Read(ref _finished[Array.IndexOf(FinishReasons, reason)]);

    public void RequestFinished(int promptTokens, int generationTokens, string finishReason)
    {
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _generationTokens, generationTokens);
        var index = Array.IndexOf(FinishReasons, finishReason);
        Interlocked.Increment(ref _finished[index < 0 ? 3 : index]);
        PromptTokensPerRequest.Observe(promptTokens);
        GenerationTokensPerRequest.Observe(generationTokens);
    }

    public double KvCacheUsage => _engine?.Cache.Usage ?? Math.Min(1.0, (double)_scheduler.TokensInFlight / _kvCapacityTokens);

    private int Running => _engine?.Running ?? _scheduler.Running;
    private int Waiting => _engine?.Waiting ?? _scheduler.Waiting;
    private long PrefixQueries => _engine?.Cache.PrefixQueries ?? 0;
    private long PrefixHits => _engine?.Cache.PrefixHits ?? 0;

    public string Render()
    {
        var output = new StringBuilder(8192);
        if (_options.Engine == BackendEngine.Vllm)
        {
            RenderVllm(output);
        }
        else
        {
            RenderSglang(output);
        }
        return output.ToString();
    }

    private void RenderVllm(StringBuilder o)
    {
        PrometheusText.Gauge(o, "vllm:num_requests_running", "Number of requests in model execution batches.", _labels, Running);
        PrometheusText.Gauge(o, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", _labels, Waiting);
        PrometheusText.Gauge(o, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", _labels, KvCacheUsage);
        PrometheusText.Counter(o, "vllm:prefix_cache_queries_total", "Prefix cache queries, in terms of number of queried tokens.", _labels, PrefixQueries);
        PrometheusText.Counter(o, "vllm:prefix_cache_hits_total", "Prefix cache hits, in terms of number of cached tokens.", _labels, PrefixHits);
        PrometheusText.Counter(o, "vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", _labels, _engine?.Preemptions ?? 0);
        PrometheusText.Counter(o, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", _labels, Interlocked.Read(ref _promptTokens));
        PrometheusText.Counter(o, "vllm:generation_tokens_total", "Number of generation tokens processed.", _labels, Interlocked.Read(ref _generationTokens));
        o.Append("# HELP vllm:request_success_total Count of successfully processed requests.\n# TYPE vllm:request_success_total counter\n");
        for (var i = 0; i < FinishReasons.Length; i++)
        {
            PrometheusText.Sample(o, "vllm:request_success_total", $"{_labels},finished_reason=\"{FinishReasons[i]}\"", Volatile.Read(ref _finished[i]));
        }
        TimeToFirstToken.Write(o, _labels);
        InterTokenLatency.Write(o, _labels);
        EndToEnd.Write(o, _labels);
        QueueTime.Write(o, _labels);
        PromptTokensPerRequest.Write(o, _labels);
        GenerationTokensPerRequest.Write(o, _labels);
        var blocks = _engine?.Cache.TotalBlocks ?? _kvCapacityTokens / BlockSize;
        var utilization = _options.GpuMemoryUtilization.ToString(System.Globalization.CultureInfo.InvariantCulture);
        PrometheusText.Gauge(o, "vllm:cache_config_info", "Information of the LLMEngine CacheConfig",
            $"block_size=\"{BlockSize}\",enable_prefix_caching=\"True\",gpu_memory_utilization=\"{utilization}\",num_gpu_blocks=\"{blocks}\",engine=\"0\"", 1);
        if (_options.EnableLora)
        {
            // Value is the wall-clock time of the update, as in vLLM: consumers take the series with the largest value.
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            var (running, waiting) = _scheduler.Adapters.Describe();
            PrometheusText.Gauge(o, "vllm:lora_requests_info", "Running stats on lora requests.",
                $"max_lora=\"{_options.MaxLoras}\",running_lora_adapters=\"{PrometheusText.Escape(running)}\",waiting_lora_adapters=\"{PrometheusText.Escape(waiting)}\"", now);
        }
    }

    private void RenderSglang(StringBuilder o)
    {
        var generated = Interlocked.Read(ref _generationTokens);
        PrometheusText.Gauge(o, "sglang:num_running_reqs", "The number of running requests.", _labels, Running);
        PrometheusText.Gauge(o, "sglang:num_queue_reqs", "The number of requests in the waiting queue.", _labels, Waiting);
        PrometheusText.Gauge(o, "sglang:token_usage", "The token usage.", _labels, KvCacheUsage);
        PrometheusText.Gauge(o, "sglang:num_used_tokens", "The number of used tokens.", _labels, _scheduler.TokensInFlight);
        PrometheusText.Gauge(o, "sglang:gen_throughput", "The generation throughput (token/s).", _labels, Throughput(generated));
        PrometheusText.Gauge(o, "sglang:cache_hit_rate", "The prefix cache hit rate.", _labels, PrefixQueries == 0 ? 0 : (double)PrefixHits / PrefixQueries);
        PrometheusText.Counter(o, "sglang:prompt_tokens_total", "Number of prefill tokens processed.", _labels, Interlocked.Read(ref _promptTokens));
        PrometheusText.Counter(o, "sglang:generation_tokens_total", "Number of generation tokens processed.", _labels, generated);
        PrometheusText.Counter(o, "sglang:cached_tokens_total", "Number of cached prompt tokens.", _labels, PrefixHits);
        long requests = 0;
        for (var i = 0; i < _finished.Length; i++)
        {
            requests += Volatile.Read(ref _finished[i]);
        }
        PrometheusText.Counter(o, "sglang:num_requests_total", "Number of requests processed.", _labels, requests);
        TimeToFirstToken.Write(o, _labels);
        InterTokenLatency.Write(o, _labels);
        EndToEnd.Write(o, _labels);
        QueueTime.Write(o, _labels);
        PrometheusText.Gauge(o, "sglang:cache_config_info", "Information of the cache configuration.",
            $"{_labels},page_size=\"1\",num_pages=\"{_kvCapacityTokens}\"", 1);
    }

    private double Throughput(long generated)
    {
        var now = Stopwatch.GetTimestamp();
        var previousTokens = Interlocked.Exchange(ref _lastThroughputTokens, generated);
        var previousTime = Interlocked.Exchange(ref _lastThroughputTimestamp, now);
        var seconds = Stopwatch.GetElapsedTime(previousTime, now).TotalSeconds;
        return seconds > 0 ? (generated - previousTokens) / seconds : 0;
    }
}
