using System.Text;
using LlmHost.Simulator.Engine;

namespace LlmHost.Simulator.Api;

/// <summary>One choice being generated: its own random stream, target length and progress.</summary>
internal sealed class ChoiceState
{
    public ChoiceState(int index, Random random, int length, string finishReason, bool collectText)
    {
        Index = index;
        Random = random;
        Length = length;
        FinishReason = finishReason;
        Text = collectText ? new StringBuilder(length * 8) : null;
    }

    public int Index { get; }
    public Random Random { get; }
    public int Length { get; }
    public string FinishReason { get; }
    public StringBuilder? Text { get; }
    public int Emitted { get; private set; }
    public bool Done => Emitted >= Length;

    public string Next()
    {
        var token = TextGenerator.Token(Random, Emitted++);
        Text?.Append(token);
        return token;
    }

    /// <summary>
    /// The token ids of the first choice's answer, drawn as <see cref="For"/> and <see cref="Next"/> will draw them: the
    /// engine model generates these tokens, so a next turn that sends the answer back finds it in the prefix cache.
    /// </summary>
    public static int[] FirstAnswerTokenIds(RequestPlan plan, SimulatorOptions options)
    {
        if (plan.Prompts.Count == 0)
        {
            return [];
        }
        var prompt = plan.Prompts[0];
        var random = TextGenerator.CreateRandom(options.Seed, plan.Request.Seed, prompt.Hash, 0);
        var length = AnswerLength(plan, TextGenerator.NaturalLength(random, options.OutputLen), plan.MaxTokensFor(prompt, options.MaxModelLen));
        var ids = new int[length];
        for (var i = 0; i < length; i++)
        {
            ids[i] = SimpleTokenizer.IdOf(TextGenerator.Token(random, i).TrimStart());
        }
        return ids;
    }

    /// <summary>Plans every choice of <paramref name="plan"/>: lengths follow the seed, capped by max tokens.</summary>
    public static ChoiceState[] For(RequestPlan plan, SimulatorOptions options, bool collectText)
    {
        var choices = new ChoiceState[plan.Prompts.Count * plan.N];
        var index = 0;
        foreach (var prompt in plan.Prompts)
        {
            var max = plan.MaxTokensFor(prompt, options.MaxModelLen);
            for (var i = 0; i < plan.N; i++)
            {
                var random = TextGenerator.CreateRandom(options.Seed, plan.Request.Seed, prompt.Hash, i);
                var natural = TextGenerator.NaturalLength(random, options.OutputLen);
                var length = AnswerLength(plan, natural, max);
                var finish = length == max && (plan.Request.IgnoreEos == true || natural > max) ? "length" : "stop";
                choices[index] = new ChoiceState(index, random, length, finish, collectText);
                index++;
            }
        }
        return choices;
    }

    // ignore_eos runs to max tokens; otherwise the answer ends naturally, unless max tokens cuts it first.
    private static int AnswerLength(RequestPlan plan, int natural, int max) => plan.Request.IgnoreEos == true ? max : Math.Min(natural, max);
}
