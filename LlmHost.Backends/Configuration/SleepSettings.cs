namespace LlmHost.Backends.Configuration;

/// <summary>
/// An engine's sleep mode for a backend: the engine starts able to sleep (vLLM <c>--enable-sleep-mode</c> and its
/// dev-mode routes; SGLang <c>--enable-memory-saver --enable-weights-cpu-backup</c>), the gateway puts an idle instance
/// to sleep and wakes it for the next request.
/// </summary>
public sealed class SleepSettings
{
    /// <summary>Start the engine able to sleep; without it, neither the gateway nor an operator can put it to sleep.</summary>
    public bool Enabled { get; set; }

    /// <summary>1: weights offloaded to CPU memory, KV cache dropped (fast wake); 2 (vLLM only): both dropped (weights
    /// reloaded on wake).</summary>
    public int Level { get; set; } = 1;

    /// <summary>Put an instance to sleep after this long without a request; null: only by hand (admin API, dashboard).</summary>
    public TimeSpan? IdleAfter { get; set; }

    /// <summary>How long a request waits for a sleeping instance to wake before it gets 503.</summary>
    public TimeSpan WakeTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
