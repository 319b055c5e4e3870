using System.Text.Json;

namespace LlmHost.Simulator.Engine;

/// <summary>
/// A deterministic stand-in for a real tokenizer: every run of letters or digits is one token and every other
/// non-space character is one token. The generator emits one word per token, so counts agree both ways.
/// </summary>
public static class SimpleTokenizer
{
    /// <summary>Tokens a chat template adds per message, and once for the assistant prompt (as ChatML does).</summary>
    public const int TokensPerMessage = 4;
    public const int TokensForGenerationPrompt = 3;
    private const int VocabularySize = 32_000;
    private const int FirstRegularId = 100;

    public static int Count(ReadOnlySpan<char> text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (!inWord)
                {
                    count++;
                    inWord = true;
                }
            }
            else
            {
                inWord = false;
                if (!char.IsWhiteSpace(c))
                {
                    count++;
                }
            }
        }
        return count;
    }

    public static List<string> Split(string text)
    {
        var tokens = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWordChar = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (isWordChar)
            {
                if (start < 0)
                {
                    start = i;
                }
                continue;
            }
            if (start >= 0)
            {
                tokens.Add(text[start..i]);
                start = -1;
            }
            if (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                tokens.Add(text[i].ToString());
            }
        }
        return tokens;
    }

    /// <summary>A stable id per token text (FNV-1a), so the same text always gives the same ids.</summary>
    public static int IdOf(string token)
    {
        var hash = 2166136261u;
        foreach (var c in token)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return FirstRegularId + (int)(hash % (VocabularySize - FirstRegularId));
    }

    /// <summary>Prompt tokens of a chat request: each message's text plus the template's per-message overhead.</summary>
    public static int CountChat(IReadOnlyList<LlmHost.Backends.OpenAI.ChatMessage> messages)
    {
        var total = TokensForGenerationPrompt;
        foreach (var message in messages)
        {
            total += TokensPerMessage + CountContent(message.Content);
        }
        return total;
    }

    public static int CountContent(JsonElement? content)
    {
        if (content is not { } element)
        {
            return 0;
        }
        if (element.ValueKind == JsonValueKind.String)
        {
            return Count(element.GetString());
        }
        var total = 0;
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in element.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                {
                    total += Count(text.GetString());
                }
            }
        }
        return total;
    }

    /// <summary>The tokens of a chat prompt after a ChatML-like template; as many as <see cref="CountChat"/> says.</summary>
    public static List<string> ChatTokens(IReadOnlyList<LlmHost.Backends.OpenAI.ChatMessage> messages)
    {
        var tokens = new List<string>();
        foreach (var message in messages)
        {
            tokens.Add("<|im_start|>");
            tokens.Add(message.Role);
            tokens.Add("\n");
            if (message.Content is { ValueKind: JsonValueKind.String } text)
            {
                tokens.AddRange(Split(text.GetString()!));
            }
            else if (message.Content is { ValueKind: JsonValueKind.Array } parts)
            {
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                    {
                        tokens.AddRange(Split(t.GetString()!));
                    }
                }
            }
            tokens.Add("<|im_end|>");
        }
        tokens.Add("<|im_start|>");
        tokens.Add("assistant");
        tokens.Add("\n");
        return tokens;
    }

    /// <summary>A stable 64-bit hash (FNV-1a) of a chat prompt's roles and texts, to seed the output.</summary>
    public static long ChatHash(IReadOnlyList<LlmHost.Backends.OpenAI.ChatMessage> messages)
    {
        var hash = PromptHash.Start;
        foreach (var message in messages)
        {
            hash = PromptHash.Add(hash, message.Role);
            hash = PromptHash.Add(hash, ':');
            if (message.Content is { ValueKind: JsonValueKind.String } s)
            {
                hash = PromptHash.Add(hash, s.GetString());
            }
            else if (message.Content is { ValueKind: JsonValueKind.Array } parts)
            {
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        hash = PromptHash.Add(hash, text.GetString());
                    }
                }
            }
            hash = PromptHash.Add(hash, '\n');
        }
        return (long)hash;
    }
}
