using System.Threading.Channels;

namespace LlmHost.Simulator.Engine.Model;

/// <summary>A request's life in the <see cref="EngineLoop"/>: one item per output token, when the step that made it ends.</summary>
public sealed class EngineRun(EngineSequence sequence)
{
    internal EngineSequence Sequence { get; } = sequence;
    /// <summary>One item per output token: the simulated time its step ended.</summary>
    internal Channel<TimeSpan> Tokens { get; } = Channel.CreateUnbounded<TimeSpan>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    internal int Delivered { get; set; }

    /// <summary>Prompt tokens found in the prefix cache.</summary>
    public int CachedPromptTokens => Sequence.CachedPromptTokens;

    /// <summary>When the request arrived, on the engine's simulated clock.</summary>
    public TimeSpan Arrival => Sequence.Arrival;

    /// <summary>When the last token read was made (simulated); the arrival before the first.</summary>
    public TimeSpan LastTokenAt { get; private set; } = sequence.Arrival;

    /// <summary>
    /// Waits for the next output token and returns the simulated time it was made; null when the sequence makes no
    /// more (it finished, or could never fit in the KV cache).
    /// </summary>
    public async ValueTask<TimeSpan?> NextAsync(CancellationToken cancellationToken)
    {
        try
        {
            var at = await Tokens.Reader.ReadAsync(cancellationToken);
            LastTokenAt = at;
            return at;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }
}
