using LlmHost.Backends.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LlmHost.Workload.Definition;

/// <summary>Reads and checks a workload file; every problem is reported at once.</summary>
public static class WorkloadLoader
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithTypeConverter(new DurationConverter())
        .Build();

    public static WorkloadFile Load(string path) => Parse(File.ReadAllText(path), path);

    public static WorkloadFile Parse(string yaml, string source = "workload")
    {
        WorkloadFile workload;
        try
        {
            workload = Deserializer.Deserialize<WorkloadFile?>(yaml) ?? new WorkloadFile();
        }
        catch (YamlException ex)
        {
            throw new WorkloadException($"{source}: line {ex.Start.Line}: {(ex.InnerException ?? ex).Message}");
        }
        var errors = workload.Validate();
        if (errors.Count > 0)
        {
            throw new WorkloadException($"{source}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");
        }
        return workload;
    }

    private sealed class DurationConverter : IYamlTypeConverter
    {
        public bool Accepts(Type type) => type == typeof(TimeSpan);

        public object ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
        {
            var scalar = parser.Consume<Scalar>();
            return Duration.TryParse(scalar.Value, out var value)
                ? value
                : throw new YamlException(scalar.Start, scalar.End, $"'{scalar.Value}' is not a duration such as 500ms, 10s or 5m");
        }

        public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
            emitter.Emit(new Scalar(Duration.Format((TimeSpan)value!)));
    }
}

public sealed class WorkloadException(string message) : Exception(message);
