namespace LlmHost.Simulator;

public sealed record LoraModule(string Name, string Path);
