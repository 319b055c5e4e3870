using System.Text.Json.Serialization;

namespace LlmHost.Gateway.Apis.Contracts;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KeyList))]
[JsonSerializable(typeof(KeyView))]
[JsonSerializable(typeof(KeyWithSecret))]
[JsonSerializable(typeof(KeyRequest))]
[JsonSerializable(typeof(RotateRequest))]
[JsonSerializable(typeof(List<UsageView>))]
[JsonSerializable(typeof(List<BackendView>))]
[JsonSerializable(typeof(List<RouteView>))]
[JsonSerializable(typeof(AdminHealth))]
[JsonSerializable(typeof(AdapterList))]
[JsonSerializable(typeof(EngineCallView))]
[JsonSerializable(typeof(AdapterLoadBody))]
[JsonSerializable(typeof(AdapterOperationView))]
[JsonSerializable(typeof(LimitsView))]
[JsonSerializable(typeof(LlmHost.Gateway.Observability.AccessLogging.LogFileStatistics))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
