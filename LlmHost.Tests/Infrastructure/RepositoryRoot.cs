namespace LlmHost.Tests.Infrastructure;

/// <summary>The checkout's root folder (the one holding LlmHost.sln), found from the test binaries.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "LlmHost.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("LlmHost.sln not found above " + AppContext.BaseDirectory);
    }
}
