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
                var length = plan.Request.IgnoreEos == true ? max : Math.Min(natural, max);
                var finish = length == max && (plan.Request.IgnoreEos == true || natural > max) ? "length" : "stop";
                choices[index] = new ChoiceState(index, random, length, finish, collectText);
                index++;
            }
        }
        return choices;
    }
}
