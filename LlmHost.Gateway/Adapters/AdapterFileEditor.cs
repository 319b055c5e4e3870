using System.Text.Json;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;
using LlmHost.Gateway.Keys;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Adapters;

/// <summary>
/// Admin writes to <c>adapters.json</c>, as the key file's are made: one at a time in this process and across the
/// processes sharing the file (a lock file beside it), re-read from disk first, audited before the file changes,
/// written atomically, and current at once.
/// </summary>
public sealed class AdapterFileEditor(ReloadableFile<AdapterFile> file, AuditLog audit)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string LockPath => Path.Combine(Path.GetDirectoryName(file.Path)!, $".{Path.GetFileName(file.Path)}.lock");

    public async Task<EditResult> EditAsync(string actor, string action, string adapter, Func<AdapterFile, EditResult> edit,
        IReadOnlyDictionary<string, string?>? details = null)
    {
        await _gate.WaitAsync();
        CrossProcessLock? fileLock = null;
        try
        {
            try
            {
                fileLock = await CrossProcessLock.AcquireAsync(LockPath, ApiKeyFileEditor.LockTimeout);
            }
            catch (TimeoutException)
            {
                return new EditResult(StatusCodes.Status503ServiceUnavailable, "The adapter file is being changed by another gateway; try again.");
            }
            var (onDisk, errors) = File.Exists(file.Path) ? AdapterFileLoader.Load(await File.ReadAllBytesAsync(file.Path)) : (new AdapterFile(), []);
            if (errors.Count > 0)
            {
                return new EditResult(StatusCodes.Status409Conflict,
                    "The adapter file on disk has problems, so it was not changed: " + new ConfigException(file.Path, errors).Message);
            }
            var result = edit(onDisk!);
            if (!result.Succeeded)
            {
                return result;
            }
            if (!audit.TryAppend(actor, action, adapter, "applied", details, "adapter"))
            {
                return new EditResult(StatusCodes.Status503ServiceUnavailable, "The audit log could not be written, so the adapter file was not changed.");
            }
            AtomicFile.Write(file.Path, JsonSerializer.SerializeToUtf8Bytes(onDisk!, AdapterJsonContext.Default.AdapterFile));
            file.Set(new LoadedFile<AdapterFile>(onDisk!, []));
            return result;
        }
        finally
        {
            fileLock?.Dispose();
            _gate.Release();
        }
    }
}
