namespace LlmHost.Simulator.Engine.Model;

/// <summary>
/// What the roofline needs of a model: parameters and the attention shape that sizes its KV cache. From the models'
/// published configs (Hugging Face <c>config.json</c>): Llama-3.1-8B (8.03 B parameters, 32 layers, 32 query and 8 KV
/// heads of 128), Qwen2.5-7B (7.62 B, 28 layers, 28 and 4 heads of 128), Llama-3.1-70B (70.6 B, 80 layers, 64 and 8
/// heads of 128). BF16 weights and KV cache (2 bytes).
/// </summary>
public sealed record ModelProfile(string Name, double ParametersB, int Layers, int QueryHeads, int KvHeads, int HeadDim, int DtypeBytes = 2)
{
    public static ModelProfile Llama31_8B { get; } = new("llama-3.1-8b", 8.03, 32, 32, 8, 128);
    public static ModelProfile Qwen25_7B { get; } = new("qwen2.5-7b", 7.62, 28, 28, 4, 128);
    public static ModelProfile Llama31_70B { get; } = new("llama-3.1-70b", 70.6, 80, 64, 8, 128);

    public static IReadOnlyList<ModelProfile> All { get; } = [Llama31_8B, Qwen25_7B, Llama31_70B];

    public static ModelProfile? Find(string name) => All.FirstOrDefault(m => m.Name == name);

    public double WeightBytes => ParametersB * 1e9 * DtypeBytes;

    /// <summary>KV bytes one token takes: layers × KV heads × head dim × 2 (K and V) × dtype bytes.</summary>
    public long KvBytesPerToken => (long)Layers * KvHeads * HeadDim * 2 * DtypeBytes;
}
