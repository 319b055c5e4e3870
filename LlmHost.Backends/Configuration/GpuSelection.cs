using System.Globalization;

namespace LlmHost.Backends.Configuration;

/// <summary>
/// The GPUs an engine gets (<c>container.gpus</c>), with one meaning whatever runs it: <c>all</c>; a count <c>N</c>,
/// which means devices <c>0</c> to <c>N-1</c> (what Docker's <c>--gpus N</c> gives); or device ids, as a list
/// (<c>[3]</c>, <c>[0, 1]</c>), a comma list (<c>"0,1"</c>) or Docker's <c>device=3</c>. A count is never a device id:
/// GPU #3 alone is <c>[3]</c>, not <c>3</c>.
/// </summary>
public sealed record GpuSelection
{
    public static GpuSelection All { get; } = new() { IsAll = true };

    public bool IsAll { get; init; }

    /// <summary>The device ids; empty for <see cref="All"/>.</summary>
    public IReadOnlyList<int> Devices { get; init; } = [];

    /// <summary>Given as a count rather than as ids.</summary>
    public bool IsCount { get; init; }

    public static GpuSelection Count(int count) => new() { Devices = [.. Enumerable.Range(0, count)], IsCount = true };

    public static GpuSelection Ids(IEnumerable<int> ids) => new() { Devices = [.. ids] };

    /// <summary>Parses a scalar: <c>all</c>, a count, <c>0,1</c> or <c>device=0,1</c>; null when it is none of them.</summary>
    public static GpuSelection? Parse(string text)
    {
        text = text.Trim();
        if (text == "all")
        {
            return All;
        }
        var ids = text.StartsWith("device=", StringComparison.Ordinal) ? text["device=".Length..] : null;
        if (ids is null && !text.Contains(','))
        {
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is > 0 and <= 64 ? Count(count) : null;
        }
        var devices = new List<int>();
        foreach (var part in (ids ?? text).Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id > 1023)
            {
                return null;
            }
            devices.Add(id);
        }
        return devices.Count > 0 ? Ids(devices) : null;
    }

    /// <summary>The value of <c>CUDA_VISIBLE_DEVICES</c> for a process on the host; null for all.</summary>
    public string? CudaVisibleDevices => IsAll ? null : string.Join(',', Devices);

    public override string ToString() => IsAll ? "all" : IsCount ? $"{Devices.Count} (devices {string.Join(',', Devices)})" : $"[{string.Join(", ", Devices)}]";
}
