namespace LlmHost.Gateway.Metering;

public enum SseEventKind
{
    Other,
    Chunk,
    UsageChunk,
    Error,
    Done,
}
