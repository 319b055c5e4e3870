using System.Text.Json.Serialization;

namespace LlmHost.Simulator.Api;

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, int>))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
