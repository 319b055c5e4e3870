using System.Numerics;

namespace LlmHost.Gateway.Metering;

/// <summary>
/// The <c>finish_reason</c>s of an answer's choices in the order they arrived, duplicates kept (two choices that
/// stopped are <c>["stop","stop"]</c>), as OpenTelemetry's <c>gen_ai.response.finish_reasons</c> lists them; up to
/// <see cref="Capacity"/>, packed three bits each in one number (no allocation per request).
/// </summary>
public readonly struct FinishReasonList
{
    public const int Capacity = 20;
    private readonly ulong _packed;

    private FinishReasonList(ulong packed, int count) => (_packed, Count) = (packed, count);

    public int Count { get; }

    public FinishReasons this[int index] => (FinishReasons)(1 << ((int)((_packed >> (3 * index)) & 7) - 1));

    /// <summary>The list with one reason more; itself for <see cref="FinishReasons.None"/> or when full.</summary>
    public FinishReasonList Add(FinishReasons reason)
    {
        if (reason == FinishReasons.None || Count == Capacity)
        {
            return this;
        }
        var code = (ulong)BitOperations.Log2((uint)reason) + 1;
        return new FinishReasonList(_packed | (code << (3 * Count)), Count + 1);
    }

    public FinishReasonList AddRange(FinishReasonList reasons)
    {
        var list = this;
        for (var i = 0; i < reasons.Count; i++)
        {
            list = list.Add(reasons[i]);
        }
        return list;
    }
}
