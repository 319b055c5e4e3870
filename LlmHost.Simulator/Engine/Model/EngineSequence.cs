namespace LlmHost.Simulator.Engine.Model;

/// <summary>One request inside the modelled engine: its tokens, how far its prefill got, what it generated.</summary>
public sealed class EngineSequence
{
    internal EngineSequence(long id, IReadOnlyList<int> prompt, int maxOutputTokens, int priority, TimeSpan arrival, int adapter = 0, IReadOnlyList<int>? output = null)
    {
        Id = id;
        Adapter = adapter;
        Output = output;
        Tokens = [.. prompt];
        MaxOutputTokens = maxOutputTokens;
        Priority = priority;
        Arrival = arrival;
    }

    public long Id { get; }
    public int MaxOutputTokens { get; }

    /// <summary>vLLM's priority: lower runs first (with <c>--scheduling-policy priority</c>).</summary>
    public int Priority { get; }

    public TimeSpan Arrival { get; }

    /// <summary>The LoRA adapter it runs with (0: the base model).</summary>
    public int Adapter { get; }

    /// <summary>The ids of the tokens it will generate, when known (the answer's text): a later turn that sends the
    /// answer back then finds it in the prefix cache, as on a real engine.</summary>
    internal IReadOnlyList<int>? Output { get; }

    /// <summary>Every token so far: the prompt, then the output.</summary>
    internal List<int> Tokens { get; }

    /// <summary>The tokens to compute before the next output at (re)admission: the prompt, or all tokens after a preemption.</summary>
    internal int PrefillTarget { get; set; }

    internal KvAllocation? Kv { get; set; }

    /// <summary>Tokens whose KV is computed (or was found in the prefix cache).</summary>
    internal int Computed { get; set; }

    public int OutputTokens { get; internal set; }
    public int CachedPromptTokens { get; internal set; }
    public int Preemptions { get; internal set; }
    public TimeSpan? FirstToken { get; internal set; }
    public TimeSpan? Finished { get; internal set; }

    public bool IsPrefilling => Computed < PrefillTarget;

    /// <summary>It can never fit in the KV cache: refused, not left at the head of the queue.</summary>
    public bool Failed { get; internal set; }
}
