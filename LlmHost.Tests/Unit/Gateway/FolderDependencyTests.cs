using System.Text.RegularExpressions;

namespace LlmHost.Tests.Unit.Gateway;

/// <summary>
/// The gateway's feature folders depend on each other one way only: no cycles (a cycle means two folders are one
/// concern split in two, or a concern in the wrong home). Read from the source: a folder depends on another when its
/// code names that folder's namespace, fully (<c>LlmHost.Gateway.Keys</c>) or partly (<c>Keys.ApiKey</c>).
/// </summary>
[Trait("Category", "Unit")]
public partial class FolderDependencyTests
{
    private static readonly string Source = Path.Combine(RepositoryRoot.Path, "LlmHost.Gateway");

    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        var folders = Directory.GetDirectories(Source).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj" or "Properties" or "logs")).ToHashSet()!;
        var named = new Regex($@"LlmHost\.Gateway\.({string.Join('|', folders)})\b|(?<![\w.])({string.Join('|', folders)})\.[A-Z]");
        var graph = folders.ToDictionary(f => f!, _ => new HashSet<string>());
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Source, folder!), "*.cs", SearchOption.AllDirectories))
            {
                var code = Comments().Replace(File.ReadAllText(file), "");
                foreach (Match match in named.Matches(code))
                {
                    var target = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                    if (target != folder)
                    {
                        graph[folder!].Add(target);
                    }
                }
            }
        }
        return graph;
    }

    [Fact]
    public void GatewayFolders_HaveNoDependencyCycles()
    {
        var graph = Dependencies();
        var state = new Dictionary<string, int>();
        var path = new List<string>();

        List<string>? Visit(string folder)
        {
            state[folder] = 1;
            path.Add(folder);
            foreach (var next in graph[folder].Order())
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path[path.IndexOf(next)..], next];
                }
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
            return null;
        }

        foreach (var folder in graph.Keys.Order())
        {
            if (state.GetValueOrDefault(folder) == 0 && Visit(folder) is { } cycle)
            {
                Assert.Fail("folder cycle: " + string.Join(" → ", cycle));
            }
        }
    }

    [Theory]
    [InlineData("Routing", "Proxy")]
    [InlineData("Errors", "RateLimiting")]
    [InlineData("Keys", "Apis")]
    [InlineData("Metering", "Observability")]
    public void GatewayFolder_DoesNotDependOn(string folder, string other) =>
        Assert.DoesNotContain(other, Dependencies()[folder]);

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();
}
