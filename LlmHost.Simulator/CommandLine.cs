namespace LlmHost.Simulator;

/// <summary>Splits <c>--name value...</c> and <c>--name=value</c> arguments into names with their values.</summary>
internal static class CommandLine
{
    public static List<(string Name, List<string> Values)> Split(string[] args, List<string> errors)
    {
        var result = new List<(string, List<string>)>();
        List<string>? current = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var eq = arg.IndexOf('=');
                var name = eq > 0 ? arg[2..eq] : arg[2..];
                current = [];
                if (eq > 0)
                {
                    current.Add(arg[(eq + 1)..]);
                }
                result.Add((name, current));
            }
            else if (current is null)
            {
                errors.Add($"unexpected argument '{arg}'");
            }
            else
            {
                current.Add(arg);
            }
        }
        return result;
    }
}
