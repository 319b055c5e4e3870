using System.Threading.Channels;

namespace LlmHost.Simulator.Engine.Model;

/// <summary>A request's life in the <see cref="EngineLoop"/>: one item per output token, when the step that made it ends.</summary>
public sealed class EngineRun(EngineSequence sequence)
{
    internal EngineSequence Sequence { get; } = sequence;
    internal Channel<bool> Tokens { get; } = Channel.CreateUnbounded<bool>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    internal int Delivered { get; set; }

    /// <summary>Prompt tokens found in the prefix cache.</summary>
    public int CachedPromptTokens => Sequence.CachedPromptTokens;

    /// <summary>Waits for the next output token; false when the sequence produces no more.</summary>
    public async ValueTask<bool> NextAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Tokens.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }
}
