namespace LlmHost.Backends.Configuration;

/// <summary>How a backend serves LoRA adapters: whether they may be loaded at run time, and how many at once.</summary>
public sealed class LoraSettings
{
    /// <summary>
    /// The engine is started ready to load adapters at run time (vLLM <c>--enable-lora</c> and its runtime-update
    /// switch; SGLang <c>--enable-lora</c> with a rank and target modules), whether or not <c>lora_modules</c> lists any.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Adapters one instance holds at once (vLLM <c>--max-loras</c>, SGLang <c>--max-loaded-loras</c> and
    /// <c>--max-loras-per-batch</c>). To load one more, the gateway first unloads the least recently used idle one.
    /// </summary>
    public int MaxLoaded { get; set; } = 4;

    /// <summary>The largest adapter rank the engine accepts (<c>--max-lora-rank</c>).</summary>
    public int MaxRank { get; set; } = 16;

    /// <summary>
    /// Requests in flight on every instance holding an adapter at which the gateway loads it on one more instance of
    /// its base model that has a free slot.
    /// </summary>
    public int SpreadAt { get; set; } = 16;

    /// <summary>
    /// How long an adapter must have gone without a request before it may be unloaded to make room for another: bounds
    /// how fast requests for ever other adapters can make them trade places (0: as soon as it is idle).
    /// </summary>
    public TimeSpan MinIdle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the gateway gives an engine to load an adapter (reading its weights, perhaps downloading them).</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long a request waits for its adapter to be loaded on demand before it gets 504 (the load goes on for the
    /// requests after it).
    /// </summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The ranks vLLM accepts for <c>--max-lora-rank</c>.</summary>
    public static readonly int[] Ranks = [1, 8, 16, 32, 64, 128, 256, 320, 512];
}
