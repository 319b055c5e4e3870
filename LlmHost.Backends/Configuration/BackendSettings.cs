using System.Runtime.CompilerServices;
using LlmHost.Backends.Engines;

namespace LlmHost.Backends.Configuration;

/// <summary>One inference server (or a group of identical replicas) serving one base model.</summary>
public sealed class BackendSettings
{
    /// <summary>Resource and service-discovery name: lower case letters, digits and hyphens.</summary>
    public string Name { get; set; } = "";

    /// <summary><c>vllm</c> or <c>sglang</c>.</summary>
    public string Engine { get; set; } = "";

    /// <summary><c>auto</c>, <c>container</c>, <c>simulator</c> or <c>external</c>.</summary>
    public string Mode { get; set; } = "auto";

    /// <summary>The Hugging Face id or path the engine loads.</summary>
    public string Model { get; set; } = "";

    /// <summary>The name clients put in <c>model</c>; defaults to <see cref="Model"/>.</summary>
    public string? ServedModelName { get; set; }

    public int Replicas { get; set; } = 1;

    public int? MaxModelLen { get; set; }

    /// <summary>
    /// How the gateway counts prompt tokens for this backend's models: <c>o200k_base</c>, <c>cl100k_base</c>, or the
    /// path of the model's <c>tokenizer.json</c>. Empty: a conservative estimate from the text's characters.
    /// </summary>
    public string? Tokenizer { get; set; }

    /// <summary>Adapters of this backend's model, loaded at start (and again when an instance lacks one).</summary>
    public List<LoraModuleSettings> LoraModules { get; set; } = [];

    public LoraSettings Lora { get; set; } = new();

    public SleepSettings Sleep { get; set; } = new();

    /// <summary>
    /// vLLM only: start the engine with <c>--scheduling-policy priority</c>, and the gateway forwards each request's
    /// priority class as the engine's <c>priority</c> (interactive −1, default 0, batch 1).
    /// </summary>
    public bool PriorityScheduling { get; set; }

    /// <summary>
    /// The engine's release (<c>0.11.1</c>), which decides the client APIs the gateway offers for it (Responses,
    /// Messages). Unset: the container's tag in container mode; otherwise taken to be recent.
    /// </summary>
    public string? Version { get; set; }

    /// <summary>The engine release the gateway assumes: <see cref="Version"/>, else a container's tag; null when unknown.</summary>
    /// <remarks>Read per request: worked out once (a loaded configuration does not change; a reload makes new settings).</remarks>
    public Version? EngineVersion => (_engineVersion ??= new StrongBox<Version?>(Engines.EngineVersion.Parse(Version)
        ?? (ModeKind == DeploymentMode.Container ? Engines.EngineVersion.Parse(Container.Tag ?? Profile.ContainerTag) : null))).Value;

    private StrongBox<Version?>? _engineVersion;

    /// <summary>The operator's own engine arguments with LlmHost's placeholders (see <see cref="Engines.EngineCommandTemplate"/>).</summary>
    public string? CommandTemplate { get; set; }

    /// <summary>Base URL of an external backend (required in <c>external</c> mode).</summary>
    public string? Url { get; set; }

    /// <summary>Name of an environment variable holding the API key the gateway sends to this backend.</summary>
    public string? ApiKeyEnv { get; set; }

    public ContainerSettings Container { get; set; } = new();

    public SimulatorSettings Simulator { get; set; } = new();

    public ProcessSettings Process { get; set; } = new();

    public BackendEngine EngineKind => EngineProfile.ParseEngine(Engine) ?? BackendEngine.Vllm;

    public DeploymentMode ModeKind => DeploymentModes.Parse(Mode) ?? DeploymentMode.Auto;

    /// <summary>The key to send to the engine: the value of the <see cref="ApiKeyEnv"/> variable, if any.</summary>
    public string? ApiKeyFromEnvironment() => ApiKeyEnv is { } variable ? Environment.GetEnvironmentVariable(variable) : null;

    public string EffectiveServedModelName => string.IsNullOrEmpty(ServedModelName) ? Model : ServedModelName;

    public EngineProfile Profile => EngineProfile.For(EngineKind);

    /// <summary>
    /// The resource / service-discovery name of each replica: the backend's name for one replica,
    /// <c>name-1</c>, <c>name-2</c>, … for several. The AppHost and the gateway both derive names here.
    /// </summary>
    public IReadOnlyList<string> InstanceNames()
    {
        if (Replicas <= 1)
        {
            return [Name];
        }
        var names = new string[Replicas];
        for (var i = 0; i < Replicas; i++)
        {
            names[i] = $"{Name}-{i + 1}";
        }
        return names;
    }
}
