using System.Diagnostics.CodeAnalysis;
using LlmHost.Backends.OpenAI;
using LlmHost.Simulator.Errors;

namespace LlmHost.Simulator.Api.Responses;

/// <summary>A finished response as kept: its final JSON, and its conversation (inputs and answer) for follow-ups.</summary>
public sealed record StoredResponse(byte[] Json, IReadOnlyList<ChatMessage> Conversation);

/// <summary>
/// The responses this process created with <c>store</c> on, kept in memory as vLLM keeps them (another instance
/// knows nothing of them). Bounded: past <see cref="Capacity"/> the oldest is forgotten.
/// </summary>
public sealed class ResponseStore(int capacity = ResponseStore.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;

    private readonly Dictionary<string, StoredResponse> _responses = new(StringComparer.Ordinal);
    private readonly Queue<string> _oldestFirst = new();

    public int Capacity { get; } = capacity;

    public int Count
    {
        get
        {
            lock (_responses)
            {
                return _responses.Count;
            }
        }
    }

    public void Save(string id, StoredResponse response)
    {
        lock (_responses)
        {
            if (_responses.TryAdd(id, response))
            {
                _oldestFirst.Enqueue(id);
            }
            while (_responses.Count > Capacity)
            {
                _responses.Remove(_oldestFirst.Dequeue());
            }
        }
    }

    public bool TryGet(string id, [NotNullWhen(true)] out StoredResponse? response)
    {
        lock (_responses)
        {
            return _responses.TryGetValue(id, out response);
        }
    }

    /// <summary>vLLM's answer for an id it does not keep, on retrieve, cancel and <c>previous_response_id</c>.</summary>
    public static EngineError NotFound(string id) => new(404, "invalid_request_error", $"Response with id '{id}' not found.");
}
