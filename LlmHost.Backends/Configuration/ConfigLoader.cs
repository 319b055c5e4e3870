using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LlmHost.Backends.Configuration;

/// <summary>Reads <c>config.yaml</c>: parse, bind, validate, and report every problem with its path and line.</summary>
public static class ConfigLoader
{
    public static LlmHostConfig LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, [new ConfigError("", null, $"cannot be read: {ex.Message}")]);
        }
        return Load(text, path);
    }

    /// <summary>Parses and validates; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static LlmHostConfig Load(string yaml, string source = "config.yaml")
    {
        var (config, errors) = TryLoad(yaml);
        return errors.Count == 0 ? config! : throw new ConfigException(source, errors);
    }

    public static (LlmHostConfig? Config, List<ConfigError> Errors) TryLoad(string yaml)
    {
        var errors = new List<ConfigError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            errors.Add(new ConfigError("", (int)ex.Start.Line, $"YAML syntax error: {ex.Message}"));
            return (null, errors);
        }
        if (stream.Documents.Count == 0)
        {
            errors.Add(new ConfigError("", null, "the file is empty"));
            return (null, errors);
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new ConfigError("", (int)stream.Documents[0].RootNode.Start.Line, "the top level must be a mapping (gateway:, backends:, ...)"));
            return (null, errors);
        }

        var binder = new YamlBinder(errors);
        var config = (LlmHostConfig)binder.Bind(root, typeof(LlmHostConfig), "")!;
        config.SetSourceLines(binder.Lines);
        errors.AddRange(ConfigValidator.Validate(config, binder.Lines));
        return (errors.Count == 0 ? config : null, errors);
    }
}
