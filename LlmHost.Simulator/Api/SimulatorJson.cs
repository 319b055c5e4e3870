using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmHost.Simulator.Api;

internal static class SimulatorJson
{
    /// <summary>Python's json module leaves characters such as ` and + unescaped; so does the simulator.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
