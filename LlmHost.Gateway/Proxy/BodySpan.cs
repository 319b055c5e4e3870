namespace LlmHost.Gateway.Proxy;

/// <summary>A byte range of the request body.</summary>
public readonly record struct BodySpan(int Start, int Length)
{
    public int End => Start + Length;

    public static BodySpan FromTo(int start, int end) => new(start, end - start);
}
