using System.Runtime.InteropServices;

namespace LlmHost.Gateway.Utilities;

/// <summary>
/// A file's mode and owner on Linux, so that a file replaced by rename keeps them: .NET reads and sets the mode but
/// has no API for the owner, which <c>statx</c> and <c>chown</c> give. Elsewhere (or when the call fails) the owner
/// is left as the process creates it.
/// </summary>
internal static class UnixFileAccess
{
    private const int AtCurrentDirectory = -100;
    private const uint UidAndGid = 0x8 | 0x10;

    /// <summary>Mode of a new file holding secrets: read and write for its owner only.</summary>
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static (uint Uid, uint Gid)? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var buffer = new byte[256];
        try
        {
            // struct statx: stx_uid at byte 20, stx_gid at byte 24, on every Linux architecture.
            return statx(AtCurrentDirectory, path, 0, UidAndGid, buffer) == 0
                ? (BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt32(buffer, 24))
                : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Gives <paramref name="path"/> the owner of <paramref name="like"/> when it differs (needs root to change it).</summary>
    public static bool CopyOwner(string like, string path) =>
        OwnerOf(like) is not { } owner || OwnerOf(path) == owner || chown(path, owner.Uid, owner.Gid) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, uint owner, uint group);
}
