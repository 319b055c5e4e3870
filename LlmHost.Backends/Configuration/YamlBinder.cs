using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace LlmHost.Backends.Configuration;

/// <summary>
/// Binds a YAML node tree onto settings classes (snake_case keys ↔ PascalCase properties), collecting every
/// unknown key and wrong scalar with its path and line instead of stopping at the first, and remembering the
/// line of each path so that later validation can point at it.
/// </summary>
internal sealed class YamlBinder
{
    private readonly List<ConfigError> _errors;

    public YamlBinder(List<ConfigError> errors) => _errors = errors;

    public Dictionary<string, int> Lines { get; } = new(StringComparer.Ordinal);

    public object? Bind(YamlNode node, Type type, string path)
    {
        Lines.TryAdd(path, (int)node.Start.Line);
        var nullable = Nullable.GetUnderlyingType(type);
        if (IsNull(node))
        {
            return nullable is not null || !type.IsValueType ? null : Activator.CreateInstance(type);
        }
        type = nullable ?? type;

        if (type == typeof(string) || type.IsPrimitive || type == typeof(decimal) || type == typeof(TimeSpan))
        {
            return BindScalar(node, type, path);
        }
        if (type == typeof(GpuSelection))
        {
            return BindGpus(node, path);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return BindList(node, type, path);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return BindDictionary(node, type, path);
        }
        return BindObject(node, type, path);
    }

    private object? BindScalar(YamlNode node, Type type, string path)
    {
        if (node is not YamlScalarNode scalar)
        {
            Add(path, node, $"expected {Describe(type)}, found a {Kind(node)}");
            return null;
        }
        var text = scalar.Value ?? "";
        if (type == typeof(string))
        {
            return text;
        }
        if (type == typeof(bool))
        {
            if (bool.TryParse(text, out var b))
            {
                return b;
            }
        }
        else if (type == typeof(int))
        {
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i))
            {
                return i;
            }
        }
        else if (type == typeof(long))
        {
            if (long.TryParse(text.Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l))
            {
                return l;
            }
        }
        else if (type == typeof(double))
        {
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                return d;
            }
        }
        else if (type == typeof(TimeSpan))
        {
            if (Duration.TryParse(text, out var duration))
            {
                return duration;
            }
        }
        Add(path, node, $"'{text}' is not {Describe(type)}");
        return null;
    }

    // all, a count, "0,1", device=0,1, or a list of device ids.
    private GpuSelection? BindGpus(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar && GpuSelection.Parse(scalar.Value ?? "") is { } parsed)
        {
            return parsed;
        }
        if (node is YamlSequenceNode sequence && sequence.Children.Count > 0)
        {
            var ids = new List<int>();
            foreach (var child in sequence.Children)
            {
                if (child is not YamlScalarNode { Value: { } text } || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id > 1023)
                {
                    Add(path, child, $"'{(child as YamlScalarNode)?.Value}' is not a GPU device id (0, 1, ...)");
                    return null;
                }
                ids.Add(id);
            }
            return GpuSelection.Ids(ids);
        }
        Add(path, node, "expected all, a count (2: devices 0 and 1), or device ids ([0, 1])");
        return null;
    }

    private object BindList(YamlNode node, Type type, string path)
    {
        var list = (IList)Activator.CreateInstance(type)!;
        var itemType = type.GetGenericArguments()[0];
        if (node is YamlSequenceNode sequence)
        {
            var index = 0;
            foreach (var child in sequence.Children)
            {
                list.Add(Bind(child, itemType, $"{path}[{index++}]"));
            }
        }
        else if (node is YamlScalarNode && itemType == typeof(string))
        {
            // A single value where a list is expected: accept it as a one-item list.
            list.Add(Bind(node, itemType, $"{path}[0]"));
        }
        else
        {
            Add(path, node, $"expected a list, found a {Kind(node)}");
        }
        return list;
    }

    private object BindDictionary(YamlNode node, Type type, string path)
    {
        var dictionary = (IDictionary)Activator.CreateInstance(type, StringComparer.Ordinal)!;
        var valueType = type.GetGenericArguments()[1];
        if (node is not YamlMappingNode mapping)
        {
            Add(path, node, $"expected a mapping, found a {Kind(node)}");
            return dictionary;
        }
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var childPath = $"{path}['{key}']";
            dictionary[key] = Bind(valueNode, valueType, childPath);
        }
        return dictionary;
    }

    private object? BindObject(YamlNode node, Type type, string path)
    {
        var instance = Activator.CreateInstance(type)!;
        if (node is not YamlMappingNode mapping)
        {
            Add(path, node, $"expected a mapping, found a {Kind(node)}");
            return instance;
        }
        var properties = WritableProperties(type);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!properties.TryGetValue(key, out var property))
            {
                Add(childPath, keyNode, $"unknown key (expected one of {string.Join(", ", properties.Keys)})");
                continue;
            }
            // A null value keeps the property's default; a value that failed to bind was reported above.
            if (Bind(valueNode, property.PropertyType, childPath) is { } value)
            {
                property.SetValue(instance, value);
            }
        }
        return instance;
    }

    private static Dictionary<string, PropertyInfo> WritableProperties(Type type)
    {
        var result = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.CanWrite)
            {
                result[ToSnakeCase(property.Name)] = property;
            }
        }
        return result;
    }

    internal static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: not YamlDotNet.Core.ScalarStyle.SingleQuoted and not YamlDotNet.Core.ScalarStyle.DoubleQuoted } scalar
        && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");

    private static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "value",
    };

    private static string Describe(Type type) =>
        type == typeof(int) || type == typeof(long) ? "an integer"
        : type == typeof(double) ? "a number"
        : type == typeof(bool) ? "true or false"
        : type == typeof(TimeSpan) ? "a duration such as 500ms, 10s, 5m or 1h"
        : "a string";

    private void Add(string path, YamlNode node, string message) =>
        _errors.Add(new ConfigError(path, (int)node.Start.Line, message));
}
