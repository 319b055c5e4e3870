namespace LlmHost.AppHost;

/// <summary>auto: decide from what the machine has; on: always (and say so if it cannot work); off: never.</summary>
public enum Switch
{
    Auto,
    On,
    Off,
}
