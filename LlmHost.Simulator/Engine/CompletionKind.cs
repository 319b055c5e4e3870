namespace LlmHost.Simulator.Engine;

public enum CompletionKind
{
    Chat,
    Text,
}
