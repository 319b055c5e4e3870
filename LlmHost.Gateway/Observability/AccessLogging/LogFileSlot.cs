namespace LlmHost.Gateway.Observability.AccessLogging;

/// <summary>
/// A numbered slot in a log folder, held by this process for its lifetime through an exclusive lock on a small file
/// (<c>.NAME.N.lock</c>): processes sharing the folder each get their own number, hence their own log files, and a
/// process that restarts takes the lowest free number — usually the one it had, with its files and their retention.
/// The lock dies with the process, so a crash frees the slot.
/// </summary>
public sealed class LogFileSlot : IDisposable
{
    private const int MaxSlots = 256;
    private readonly FileStream _lock;

    private LogFileSlot(int number, FileStream lockFile)
    {
        Number = number;
        _lock = lockFile;
    }

    public int Number { get; }

    public static LogFileSlot Acquire(string directory, string name)
    {
        for (var number = 0; number < MaxSlots; number++)
        {
            var path = Path.Combine(directory, $".{name}.{number}.lock");
            try
            {
                return new LogFileSlot(number, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException)
            {
                // Held by another process: try the next number.
            }
        }
        throw new IOException($"{directory}: all {MaxSlots} log slots named {name} are held by other processes.");
    }

    public void Dispose() => _lock.Dispose();
}
