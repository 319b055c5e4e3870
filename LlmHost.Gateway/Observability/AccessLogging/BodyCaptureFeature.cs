namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>The beginnings of a request's and its answer's bodies, for a key with <c>log_bodies</c>.</summary>
public sealed class BodyCaptureFeature
{
    public BodyCapture Request { get; } = new();

    public BodyCapture Response { get; } = new();
}
