namespace LlmHost.Gateway.FlowControl;

/// <summary>How a request went through flow control (a metric label and an access-log field).</summary>
public enum QueueOutcome
{
    /// <summary>Sent at once: nobody waited and an instance had room.</summary>
    Passed,
    /// <summary>Waited, then sent.</summary>
    Dispatched,
    /// <summary>Refused: the model's queue was full.</summary>
    Full,
    /// <summary>Refused: the key's share of the queue was full.</summary>
    KeyFull,
    /// <summary>Refused after <c>queue_timeout</c>.</summary>
    TimedOut,
    /// <summary>Refused: no instance was healthy when it timed out.</summary>
    Unavailable,
    /// <summary>The client left while it waited.</summary>
    Cancelled,
}

public static class QueueOutcomes
{
    public static string Label(this QueueOutcome outcome) => outcome switch
    {
        QueueOutcome.Passed => "passed",
        QueueOutcome.Dispatched => "dispatched",
        QueueOutcome.Full => "queue_full",
        QueueOutcome.KeyFull => "key_queue_full",
        QueueOutcome.TimedOut => "queue_timeout",
        QueueOutcome.Unavailable => "unavailable",
        _ => "cancelled",
    };

    public static bool Proceeds(this QueueOutcome outcome) => outcome is QueueOutcome.Passed or QueueOutcome.Dispatched;
}
