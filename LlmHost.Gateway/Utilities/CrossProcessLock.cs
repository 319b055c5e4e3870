namespace LlmHost.Gateway.Utilities;

/// <summary>
/// An exclusive lock shared by every process on the machine that opens the same lock file — gateway replicas
/// editing one key file — held while the lock file stays open (an advisory <c>flock</c> on Linux). The lock dies
/// with its process, so a crashed writer never leaves the file locked.
/// </summary>
public sealed class CrossProcessLock : IDisposable
{
    private readonly FileStream _file;

    private CrossProcessLock(FileStream file) => _file = file;

    /// <summary>Waits for the lock, up to <paramref name="timeout"/>; throws <see cref="TimeoutException"/> beyond.</summary>
    public static async Task<CrossProcessLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileAccess.PrivateMode;
        }
        while (true)
        {
            try
            {
                return new CrossProcessLock(new FileStream(path, options));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(Random.Shared.Next(5, 25), cancellationToken);
            }
            catch (IOException ex)
            {
                throw new TimeoutException($"{path} stayed locked by another process for {timeout.TotalSeconds:0} s.", ex);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
