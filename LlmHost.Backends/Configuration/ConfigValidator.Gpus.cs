using System.Globalization;

namespace LlmHost.Backends.Configuration;

public static partial class ConfigValidator
{
    /// <summary>The most the engines sharing one GPU may take together: each process's CUDA context needs memory beyond its share.</summary>
    public const double MaxSharedMemory = 0.95;

    /// <summary>
    /// GPU placement of the backends that will run on this machine's GPUs (<paramref name="onGpus"/>, decided by the
    /// AppHost once it knows what the machine can run; each replica gets the backend's devices): engines sharing a
    /// device must each set <c>gpu_memory_utilization</c>, and the shares on one device must sum to at most 0.95.
    /// <c>all</c> shares every device.
    /// </summary>
    public static List<ConfigError> ValidateGpuPlacement(LlmHostConfig config, Func<BackendSettings, bool> onGpus)
    {
        var errors = new List<ConfigError>();
        void Error(string path, string message) => errors.Add(new ConfigError(path, ConfigLines.Find(config.SourceLines, path), message));
        ValidateGpuPlacement(config.Backends, onGpus, Error);
        return errors;
    }

    private static void ValidateGpuPlacement(List<BackendSettings> backends, Func<BackendSettings, bool> onGpus, Action<string, string> error)
    {
        var engines = new List<(int Index, BackendSettings Backend, int Replica)>();
        for (var i = 0; i < backends.Count; i++)
        {
            var b = backends[i];
            if (b.Container.Gpus is not null && onGpus(b))
            {
                for (var r = 0; r < Math.Max(1, b.Replicas); r++)
                {
                    engines.Add((i, b, r));
                }
            }
        }
        for (var i = 0; i < backends.Count; i++)
        {
            if (onGpus(backends[i]))
            {
                ValidateAdapterMount(backends[i], $"backends[{i}]", error);
            }
        }
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in SharedDevices(engines.Select(e => e.Backend.Container.Gpus)))
        {
            var sharing = engines.Where(e => e.Backend.Container.Gpus.IsAll || e.Backend.Container.Gpus.Devices.Contains(device)).ToList();
            if (sharing.Count < 2)
            {
                continue;
            }
            var last = sharing[^1];
            var where = device < 0 ? "every GPU (gpus: all)" : $"GPU {device}";
            var names = string.Join(", ", sharing.Select(e => e.Backend.Replicas > 1 ? $"{e.Backend.Name} (replica {e.Replica + 1})" : e.Backend.Name));
            if (sharing.Find(e => e.Backend.Container.GpuMemoryUtilization is null) is { Backend: not null } unset)
            {
                if (reported.Add($"unset:{unset.Index}"))
                {
                    error($"backends[{unset.Index}].container.gpu_memory_utilization",
                        $"is not set, but {where} is shared by {names}: give each engine its share (the shares on one GPU must sum to at most 0.95)");
                }
                continue;
            }
            var sum = sharing.Sum(e => e.Backend.Container.GpuMemoryUtilization!.Value);
            if (sum > MaxSharedMemory + 0.0001 && reported.Add($"sum:{last.Index}:{device}"))
            {
                error($"backends[{last.Index}].container.gpu_memory_utilization",
                    $"the engines on {where} ({names}) take {sum.ToString("0.##", CultureInfo.InvariantCulture)} of its memory together: at most {MaxSharedMemory.ToString(CultureInfo.InvariantCulture)} (each engine's CUDA context takes some besides its share)");
            }
        }
    }

    // Every device some engine names, and -1 for "all" when only "all" is used.
    private static IEnumerable<int> SharedDevices(IEnumerable<GpuSelection> selections)
    {
        var devices = new SortedSet<int>();
        var all = false;
        foreach (var gpus in selections)
        {
            all |= gpus.IsAll;
            devices.UnionWith(gpus.Devices);
        }
        if (all && devices.Count == 0)
        {
            devices.Add(-1);
        }
        return devices;
    }

    // Adapters under the container's /adapters exist only when a host folder is mounted there.
    private static void ValidateAdapterMount(BackendSettings backend, string at, Action<string, string> error)
    {
        if (backend.Container.AdaptersHostPath is { Length: > 0 })
        {
            return;
        }
        for (var j = 0; j < backend.LoraModules.Count; j++)
        {
            if (backend.LoraModules[j].Path.StartsWith("/adapters/", StringComparison.Ordinal))
            {
                error($"{at}.lora_modules[{j}].path",
                    $"'{backend.LoraModules[j].Path}' is under the container's /adapters, but container.adapters_host_path is not set: nothing is mounted there");
            }
        }
    }
}
