using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace LlmHost.Gateway.Configuration;

/// <summary>
/// A <see cref="ReloadableFile{T}"/> seen as <see cref="IOptionsMonitor{TOptions}"/>: what consumers of settings that
/// follow reloads take. Settings read once at start come as <see cref="IOptions{TOptions}"/> instead, so the type a
/// consumer asks for says which it is.
/// </summary>
public sealed class ReloadableFileOptionsMonitor<T>(ReloadableFile<T> file) : IOptionsMonitor<T> where T : class
{
    public T CurrentValue => file.Current;

    public T Get(string? name) => file.Current;

    public IDisposable? OnChange(Action<T, string?> listener) =>
        ChangeToken.OnChange(file.GetChangeToken, () => listener(file.Current, Options.DefaultName));
}
