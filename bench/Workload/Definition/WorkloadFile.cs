namespace LlmHost.Workload.Definition;

/// <summary>A workload file (<c>bench/workloads/*.yaml</c>): who sends what, how often, for how long.</summary>
public sealed class WorkloadFile
{
    public string Name { get; set; } = "workload";
    public string Description { get; set; } = "";
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Seed of every prompt and arrival: the same file and seed send the same requests.</summary>
    public int Seed { get; set; } = 1;

    public bool Stream { get; set; } = true;

    /// <summary>vLLM/SGLang's <c>ignore_eos</c>: answers run to their drawn length (set false for other servers).</summary>
    public bool IgnoreEos { get; set; } = true;

    public ModelMix Models { get; set; } = new();
    public List<TenantGroup> Tenants { get; set; } = [];

    public ModelMix ModelsOf(TenantGroup group) => group.Models ?? Models;

    public int TenantCount
    {
        get
        {
            var count = 0;
            foreach (var group in Tenants)
            {
                count += group.Count;
            }
            return count;
        }
    }

    public List<string> Validate()
    {
        var errors = new List<string>();
        if (Duration <= TimeSpan.Zero)
        {
            errors.Add("duration: must be above 0");
        }
        if (Tenants.Count == 0)
        {
            errors.Add("tenants: list at least one tenant group");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Tenants.Count; i++)
        {
            var group = Tenants[i];
            group.Validate($"tenants[{i}]", errors);
            if (!names.Add(group.Name))
            {
                errors.Add($"tenants[{i}].name: '{group.Name}' is used twice");
            }
            if (group.Models is null && Models.Names.Count == 0)
            {
                errors.Add($"tenants[{i}]: no models (set models at the top or in the group)");
            }
        }
        if (Models.Names.Count > 0)
        {
            Models.Validate("models", errors);
        }
        return errors;
    }
}
