namespace LlmHost.Gateway.Configuration;

/// <summary>A file's content, loaded and validated, with what is worth a warning about it.</summary>
public sealed record LoadedFile<T>(T Value, IReadOnlyList<string> Warnings);
