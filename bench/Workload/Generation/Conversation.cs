using System.Text;

namespace LlmHost.Workload.Generation;

/// <summary>
/// One chat: the tenant's system prompt, then turns of a user message and the answer the server gave. After the
/// group's number of turns it starts over as a new conversation (same system prompt, new user text).
/// </summary>
public sealed class Conversation(string systemPrompt, int maxTurns)
{
    private readonly List<(string User, string Assistant)> _turns = [];
    private int _generation;

    public string SystemPrompt { get; } = systemPrompt;

    /// <summary>Starts the next turn: the messages to send, and a ticket to record the answer with.</summary>
    public (List<(string Role, string Content)> Messages, Turn Ticket) Next(Random random, int userTokens, int id)
    {
        lock (_turns)
        {
            if (_turns.Count >= maxTurns)
            {
                _turns.Clear();
                _generation++;
            }
            var messages = new List<(string, string)>(2 + _turns.Count * 2);
            if (SystemPrompt.Length > 0)
            {
                messages.Add(("system", SystemPrompt));
            }
            foreach (var (user, assistant) in _turns)
            {
                messages.Add(("user", user));
                messages.Add(("assistant", assistant));
            }
            // A unique head keeps two conversations from sharing anything beyond the system prompt.
            var text = new StringBuilder($"conversation {id} {_generation} turn {_turns.Count}:");
            PromptText.Append(text, random, userTokens);
            var userText = text.ToString();
            messages.Add(("user", userText));
            return (messages, new Turn(_generation, userText));
        }
    }

    /// <summary>Records the answer, unless the conversation started over while the request ran.</summary>
    public void Complete(Turn turn, string answer)
    {
        lock (_turns)
        {
            if (turn.Generation == _generation && _turns.Count < maxTurns)
            {
                _turns.Add((turn.UserText, answer));
            }
        }
    }

    public readonly record struct Turn(int Generation, string UserText);
}
