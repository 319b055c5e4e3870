namespace LlmHost.Simulator.Engine;

/// <summary>Whether the simulated engine sleeps, and at which level (0: awake). Waking takes a while (<c>--wake-ms</c>).</summary>
public sealed class SleepState
{
    private int _level;

    public int Level => Volatile.Read(ref _level);

    public bool IsSleeping => Level > 0;

    /// <summary>Weights still need reloading after a level-2 wake.</summary>
    public bool WeightsDiscarded { get; private set; }

    public int Sleeps { get; private set; }

    public int Wakes { get; private set; }

    public void Sleep(int level)
    {
        Volatile.Write(ref _level, level);
        WeightsDiscarded = level == 2;
        Sleeps++;
    }

    public void Woke()
    {
        Volatile.Write(ref _level, 0);
        Wakes++;
    }

    public void WeightsReloaded() => WeightsDiscarded = false;
}
