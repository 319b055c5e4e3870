using System.Text.Json;
using LlmHost.Backends.Configuration;
using LlmHost.Gateway.Configuration;

using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Keys;

/// <summary>
/// Every admin write to the key file, one at a time — in this process, and across every process sharing the file
/// (gateway replicas behind one edge) through a lock file beside it: re-read the file from disk (so that a hand edit,
/// or another replica's write, made since the last write is kept, not overwritten), apply the change, validate the
/// result, record it in the audit log, write it atomically and make it current. A file on disk that does not
/// validate is not touched (409); a change the audit log cannot record is not made (503).
/// </summary>
public sealed class ApiKeyFileEditor(ReloadableFile<ApiKeySnapshot> keys, AuditLog audit, ILogger<ApiKeyFileEditor> logger)
{
    /// <summary>How long a write waits for another process's write to finish before answering 503.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The lock file every process editing the key file takes: <c>.api_keys.json.lock</c> beside it.</summary>
    public string LockPath => Path.Combine(Path.GetDirectoryName(keys.Path)!, $".{Path.GetFileName(keys.Path)}.lock");

    public async Task<EditResult> EditAsync(string actor, string action, string keyId, Func<ApiKeyFile, EditResult> edit,
        Func<IReadOnlyDictionary<string, string?>>? details = null)
    {
        await _gate.WaitAsync();
        CrossProcessLock? fileLock = null;
        try
        {
            try
            {
                fileLock = await CrossProcessLock.AcquireAsync(LockPath, LockTimeout);
            }
            catch (TimeoutException)
            {
                return new EditResult(StatusCodes.Status503ServiceUnavailable, "The key file is being changed by another gateway; try again.");
            }
            var onDisk = ApiKeyFileLoader.Load(await File.ReadAllBytesAsync(keys.Path));
            if (onDisk.Errors.Count > 0)
            {
                return new EditResult(StatusCodes.Status409Conflict,
                    "The key file on disk has problems, so it was not changed: " + new ConfigException(keys.Path, onDisk.Errors).Message);
            }
            var file = onDisk.File!;
            var result = edit(file);
            if (!result.Succeeded)
            {
                return result;
            }
            var bytes = JsonSerializer.SerializeToUtf8Bytes(file, ApiKeyJsonContext.Default.ApiKeyFile);
            var check = ApiKeyFileLoader.Load(bytes);
            if (check.Errors.Count > 0)
            {
                return EditResult.Invalid(string.Join("; ", check.Errors));
            }
            var described = details?.Invoke();
            if (!audit.TryAppend(actor, action, keyId, "applied", described))
            {
                return new EditResult(StatusCodes.Status503ServiceUnavailable, "The audit log could not be written, so the key file was not changed.");
            }
            try
            {
                AtomicFile.Write(keys.Path, bytes);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                audit.TryAppend(actor, action, keyId, "failed", described);
                throw;
            }
            keys.Set(ApiKeyFileLoader.Snapshot(check, keys.Path));
            KeysLog.AdminChange(logger, actor, action, keyId);
            return result;
        }
        finally
        {
            fileLock?.Dispose();
            _gate.Release();
        }
    }
}
