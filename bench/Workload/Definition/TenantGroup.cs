namespace LlmHost.Workload.Definition;

/// <summary>
/// <see cref="Count"/> tenants that behave alike. Each tenant has its own API key, its own system prompt (after an
/// optional prompt shared by the whole group) and its own conversations. Arrivals are either open (Poisson at
/// <see cref="Rate"/> requests/s per tenant) or closed (<see cref="Users"/> users per tenant, each waiting for its
/// answer and then an exponential think time).
/// </summary>
public sealed class TenantGroup
{
    public string Name { get; set; } = "tenant";
    public int Count { get; set; } = 1;
    public double Rate { get; set; }
    public int Users { get; set; }
    public TimeSpan ThinkTime { get; set; }

    /// <summary>Tokens of a prompt every tenant of the group starts with (a product-wide preamble).</summary>
    public int SharedPrompt { get; set; }

    /// <summary>Tokens of the tenant's own system prompt, after the shared one.</summary>
    public int SystemPrompt { get; set; }

    /// <summary>Turns per conversation; each turn carries every previous turn, as chat clients do.</summary>
    public int Turns { get; set; } = 1;

    /// <summary>Conversations a tenant keeps going at once (open arrivals continue them in turn).</summary>
    public int Conversations { get; set; } = 4;

    public LengthSpec UserTokens { get; set; } = new() { Min = 50, Max = 150 };
    public LengthSpec OutputTokens { get; set; } = new() { Min = 50, Max = 150 };

    /// <summary>Streamed answers or not, for this group (batch jobs next to chat users); unset uses the workload's.</summary>
    public bool? Stream { get; set; }

    /// <summary>Models (or adapters) this group's requests name; empty uses the workload's.</summary>
    public ModelMix? Models { get; set; }

    /// <summary>The priority class this group's requests ask for (<c>x-llmhost-priority</c>: interactive, default, batch); unset sends none.</summary>
    public string? Priority { get; set; }

    public bool IsClosedLoop => Users > 0;

    internal void Validate(string at, List<string> errors)
    {
        if (Count is < 1 or > 10_000)
        {
            errors.Add($"{at}.count: {Count} is not between 1 and 10000");
        }
        if ((Rate > 0) == (Users > 0))
        {
            errors.Add($"{at}: set exactly one of rate (open arrivals) and users (closed loop)");
        }
        if (Rate < 0 || Users < 0 || ThinkTime < TimeSpan.Zero)
        {
            errors.Add($"{at}: rate, users and think_time cannot be negative");
        }
        if (SharedPrompt < 0 || SystemPrompt < 0 || Turns < 1 || Conversations < 1)
        {
            errors.Add($"{at}: prompts need 0 or more tokens, turns and conversations at least 1");
        }
        UserTokens.Validate($"{at}.user_tokens", errors);
        OutputTokens.Validate($"{at}.output_tokens", errors);
        if (OutputTokens.Min < 1)
        {
            errors.Add($"{at}.output_tokens.min: a request asks for at least 1 token");
        }
        Models?.Validate($"{at}.models", errors);
        if (Priority is not (null or "interactive" or "default" or "batch"))
        {
            errors.Add($"{at}.priority: '{Priority}' is not one of interactive, default, batch");
        }
    }
}
