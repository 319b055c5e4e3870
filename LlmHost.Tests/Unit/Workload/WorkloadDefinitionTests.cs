using LlmHost.Workload.Definition;
using LlmHost.Workload.Generation;

namespace LlmHost.Tests.Unit.Workload;

[Trait("Category", "Unit")]
public class WorkloadDefinitionTests
{
    private const string TwoTenants = """
        name: t
        duration: 10s
        models: { names: [m] }
        tenants:
          - { name: a, count: 2, rate: 1, shared_prompt: 20, system_prompt: 30, turns: 2, conversations: 1, user_tokens: { min: 5, max: 5 }, output_tokens: { min: 3, max: 3 } }
        """;

    public static TheoryData<string> ShippedWorkloads() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "bench", "workloads"), "*.yaml").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(ShippedWorkloads))]
    public void Load_ShippedWorkload_IsValidAndNamedAfterItsFile(string file)
    {
        var workload = WorkloadLoader.Load(Path.Combine(RepositoryRoot.Path, "bench", "workloads", file));

        Assert.Equal(Path.GetFileNameWithoutExtension(file), workload.Name);
        Assert.True(workload.TenantCount > 0);
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOne()
    {
        var ex = Assert.Throws<WorkloadException>(() => WorkloadLoader.Parse("""
            duration: 0s
            tenants:
              - { name: a, rate: 1, users: 2, output_tokens: { min: 0, max: 5 } }
              - { name: a, rate: 1, user_tokens: { dist: normal, min: 9, max: 1 } }
            """));

        Assert.Contains("duration: must be above 0", ex.Message);
        Assert.Contains("tenants[0]: set exactly one of rate (open arrivals) and users (closed loop)", ex.Message);
        Assert.Contains("tenants[0].output_tokens.min: a request asks for at least 1 token", ex.Message);
        Assert.Contains("tenants[1].name: 'a' is used twice", ex.Message);
        Assert.Contains("tenants[1].user_tokens.dist: 'normal' is not one of uniform, exponential", ex.Message);
        Assert.Contains("tenants[1].user_tokens: needs 0 <= min <= max (min 9, max 1)", ex.Message);
        Assert.Contains("tenants[0]: no models", ex.Message);
    }

    [Fact]
    public void Parse_BadDuration_NamesTheLine()
    {
        var ex = Assert.Throws<WorkloadException>(() => WorkloadLoader.Parse("name: x\nduration: soon\n"));

        Assert.Contains("line 2", ex.Message);
        Assert.Contains("'soon' is not a duration", ex.Message);
    }

    [Fact]
    public void Draw_Zipf_FavoursTheFirstNamesInProportion()
    {
        var mix = new ModelMix { Names = ["a", "b", "c", "d"], Zipf = 1 };
        var random = new Random(7);

        var counts = Enumerable.Range(0, 20_000).Select(_ => mix.Draw(random)).GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());

        // Weights 1, 1/2, 1/3, 1/4: "a" twice as often as "b", four times as often as "d".
        Assert.InRange((double)counts["a"] / counts["b"], 1.8, 2.2);
        Assert.InRange((double)counts["a"] / counts["d"], 3.6, 4.4);
    }

    [Fact]
    public void Draw_Exponential_StaysWithinBoundsAroundTheMean()
    {
        var spec = new LengthSpec { Dist = "exponential", Mean = 100, Min = 1, Max = 1000 };
        var random = new Random(3);

        var draws = Enumerable.Range(0, 10_000).Select(_ => spec.Draw(random)).ToList();

        Assert.All(draws, d => Assert.InRange(d, 1, 1000));
        Assert.InRange(draws.Average(), 90, 110);
    }

    [Fact]
    public void Plan_SameSeed_SameRequests_TenantsShareOnlyTheGroupPrompt()
    {
        var workload = WorkloadLoader.Parse(TwoTenants);
        var shared = PromptText.Of(new Random(1), 20);
        Tenant Make(int index) => new(workload, workload.Tenants[0], 0, index, "k", shared);

        var first = Make(0).Plan();
        var again = Make(0).Plan();
        var other = Make(1).Plan();

        Assert.Equal(first.Messages, again.Messages);
        Assert.StartsWith(shared + " ", first.Messages[0].Content);
        Assert.StartsWith(shared + " ", other.Messages[0].Content);
        Assert.NotEqual(first.Messages[0].Content, other.Messages[0].Content);
        Assert.Equal(50, first.Messages[0].Content.Split(' ').Length);
        Assert.Equal(3, first.MaxTokens);
    }

    [Fact]
    public void Plan_NextTurn_CarriesThePreviousTurnsThenStartsOver()
    {
        var workload = WorkloadLoader.Parse(TwoTenants);
        var tenant = new Tenant(workload, workload.Tenants[0], 0, 0, "k", null);

        var turn1 = tenant.Plan();
        turn1.Conversation.Complete(turn1.Turn, "first answer");
        var turn2 = tenant.Plan();
        turn2.Conversation.Complete(turn2.Turn, "second answer");
        var turn3 = tenant.Plan();

        Assert.Equal(["system", "user"], turn1.Messages.Select(m => m.Role));
        Assert.Equal(["system", "user", "assistant", "user"], turn2.Messages.Select(m => m.Role));
        Assert.Equal(turn1.Messages[1], turn2.Messages[1]);
        Assert.Equal("first answer", turn2.Messages[2].Content);
        // Two turns per conversation: the third request is a new conversation on the same system prompt.
        Assert.Equal(["system", "user"], turn3.Messages.Select(m => m.Role));
        Assert.Equal(turn1.Messages[0], turn3.Messages[0]);
        Assert.NotEqual(turn1.Messages[1], turn3.Messages[1]);
    }

    [Fact]
    public void Complete_AfterTheConversationStartedOver_IsNotRecorded()
    {
        var conversation = new Conversation("s", maxTurns: 1);
        var stale = conversation.Next(new Random(1), 3, 0).Ticket;
        conversation.Complete(stale, "a");
        var fresh = conversation.Next(new Random(2), 3, 0);

        conversation.Complete(stale, "late answer of the old conversation");
        var next = conversation.Next(new Random(3), 3, 0);

        Assert.Equal(2, fresh.Messages.Count);
        Assert.Equal(2, next.Messages.Count);
    }
}
