using System.Globalization;
using System.Text;
using LlmHost.Workload.Definition;

namespace LlmHost.Workload.Generation;

/// <summary>One tenant: its key, its prompts and conversations, and its own seeded random source.</summary>
public sealed class Tenant
{
    private readonly Random _random;
    private readonly Conversation[] _conversations;
    private int _next;

    public Tenant(WorkloadFile workload, TenantGroup group, int groupIndex, int index, string apiKey, string? sharedPrompt)
    {
        Group = group;
        GroupIndex = groupIndex;
        Index = index;
        Name = group.Count == 1 ? group.Name : $"{group.Name}-{(index + 1).ToString(new string('0', Digits(group.Count)), CultureInfo.InvariantCulture)}";
        ApiKey = apiKey;
        Models = workload.ModelsOf(group);
        _random = new Random(Seeds.Of(workload.Seed, groupIndex, index));
        var system = new StringBuilder(sharedPrompt);
        if (group.SystemPrompt > 0)
        {
            PromptText.Append(system, new Random(Seeds.Of(workload.Seed, groupIndex, index, 1)), group.SystemPrompt);
        }
        var conversations = Math.Max(group.Conversations, group.Users);
        _conversations = new Conversation[conversations];
        for (var i = 0; i < conversations; i++)
        {
            _conversations[i] = new Conversation(system.ToString(), group.Turns);
        }
    }

    public TenantGroup Group { get; }
    public int GroupIndex { get; }
    public int Index { get; }
    public string Name { get; }
    public string ApiKey { get; }
    public ModelMix Models { get; }

    /// <summary>The next request of this tenant: on user <paramref name="user"/>'s conversation, or the next one in turn.</summary>
    public PlannedRequest Plan(int? user = null)
    {
        lock (_random)
        {
            var slot = user ?? _next++ % _conversations.Length;
            var conversation = _conversations[slot];
            var (messages, turn) = conversation.Next(_random, Group.UserTokens.Draw(_random), slot);
            return new PlannedRequest(this, conversation, turn, messages, Models.Draw(_random), Group.OutputTokens.Draw(_random));
        }
    }

    private static int Digits(int n) => n.ToString(CultureInfo.InvariantCulture).Length;

    /// <summary>An exponential think time with the group's mean (closed loop).</summary>
    public TimeSpan ThinkTime()
    {
        lock (_random)
        {
            return TimeSpan.FromTicks((long)(-Group.ThinkTime.Ticks * Math.Log(1 - _random.NextDouble())));
        }
    }

    /// <summary>The gap to the next Poisson arrival at the group's per-tenant rate.</summary>
    public TimeSpan NextArrivalGap()
    {
        lock (_random)
        {
            return TimeSpan.FromSeconds(-Math.Log(1 - _random.NextDouble()) / Group.Rate);
        }
    }
}

public sealed record PlannedRequest(Tenant Tenant, Conversation Conversation, Conversation.Turn Turn,
    List<(string Role, string Content)> Messages, string Model, int MaxTokens);
