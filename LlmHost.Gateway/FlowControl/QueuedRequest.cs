using System.Diagnostics;

namespace LlmHost.Gateway.FlowControl;

/// <summary>A request waiting in a <see cref="FlowQueue"/>; its task completes when it is let through.</summary>
internal sealed class QueuedRequest(FlowQueue.KeyLine line, RequestPriority priority)
{
    private readonly TaskCompletionSource _turn = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FlowQueue.KeyLine Line { get; } = line;
    public RequestPriority Priority { get; } = priority;

    /// <summary>When it was queued (a <see cref="Stopwatch"/> timestamp).</summary>
    public long Since { get; } = Stopwatch.GetTimestamp();

    /// <summary>Its place in its key's line; null once it left the queue.</summary>
    public LinkedListNode<QueuedRequest>? Node { get; set; }

    public Task Turn => _turn.Task;

    public void Granted() => _turn.TrySetResult();
}
