using System.Buffers;

namespace LlmHost.Gateway.Proxy;

/// <summary>
/// Buffers for request bodies: small ones from the shared pool (most bodies), large ones allocated and left to the
/// GC, so that a burst of 16 MiB bodies does not stay in the pool after it passed.
/// </summary>
internal static class BodyBuffer
{
    public const int LargestPooled = 1024 * 1024;

    public static byte[] Rent(int size) =>
        size <= LargestPooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= LargestPooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
