using System.Runtime.CompilerServices;

namespace LlmHost.Simulator.Metrics;

/// <summary>A double that many threads add to without a lock.</summary>
internal struct AtomicDouble
{
    private long _bits;

    public readonly double Value => BitConverter.Int64BitsToDouble(Volatile.Read(ref Unsafe.AsRef(in _bits)));

    public void Add(double amount)
    {
        long seen, next;
        do
        {
            seen = Volatile.Read(ref _bits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + amount);
        }
        while (Interlocked.CompareExchange(ref _bits, next, seen) != seen);
    }
}
