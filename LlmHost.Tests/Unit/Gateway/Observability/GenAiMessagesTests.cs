using System.Text.Json;
using LlmHost.Gateway.Observability.GenAiContent;

namespace LlmHost.Tests.Unit.Gateway.Observability;

public sealed class GenAiMessagesTests
{
    /// <summary>Each message as "role: part, part | finish", a part as "text" or "type(id,name,args)".</summary>
    private static string[] Describe(string? json)
    {
        Assert.NotNull(json);
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(message =>
        {
            var parts = message.GetProperty("parts").EnumerateArray().Select(part => part.GetProperty("type").GetString() switch
            {
                "text" => part.GetProperty("content").GetString(),
                "tool_call" => $"tool_call({part.GetProperty("id")},{part.GetProperty("name")},{part.GetProperty("arguments")})",
                "tool_call_response" => $"tool_call_response({part.GetProperty("id")},{part.GetProperty("response")})",
                var other => other,
            });
            var finish = message.TryGetProperty("finish_reason", out var reason) ? $" | {reason.GetString()}" : "";
            return $"{message.GetProperty("role").GetString()}: {string.Join(", ", parts)}{finish}";
        })];
    }

    [Fact]
    public void InputRead_ChatWithPartsToolCallsAndToolAnswers_EveryMessageInOrder()
    {
        const string Body = """
            {"model":"m","messages":[
              {"role":"system","content":"be brief"},
              {"role":"user","content":[{"type":"text","text":"what is"},{"type":"image_url","image_url":{"url":"data:x"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"calc","arguments":"{\"x\":1}"}}]},
              {"role":"tool","tool_call_id":"c1","content":"2"}]}
            """;

        Assert.Equal(
            ["system: be brief", "user: what is, image_url", """assistant: tool_call(c1,calc,{"x":1})""", "tool: tool_call_response(c1,2)"],
            Describe(InputMessages.Read("chat", Body)?.Messages));
    }

    [Fact]
    public void InputRead_CompletionsPromptMessagesAndResponses_InstructionsApartThenTurns()
    {
        Assert.Equal(["user: once upon"], Describe(InputMessages.Read("text_completion", """{"prompt":"once upon"}""")?.Messages));
        var anthropic = InputMessages.Read("messages", """
            {"system":[{"type":"text","text":"terse"}],"messages":[{"role":"user","content":"hi"},
             {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"get","input":{"q":1}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"done"}]}]}
            """);
        Assert.Equal("""[{"type":"text","content":"terse"}]""", anthropic?.SystemInstructions);
        Assert.Equal(["user: hi", """assistant: tool_call(t1,get,{"q":1})""", "user: tool_call_response(t1,done)"], Describe(anthropic?.Messages));
        var responses = InputMessages.Read("responses", """{"instructions":"be kind","input":"hello"}""");
        Assert.Equal("""[{"type":"text","content":"be kind"}]""", responses?.SystemInstructions);
        Assert.Equal(["user: hello"], Describe(responses?.Messages));
        Assert.Equal(
            ["user: look", "assistant: tool_call(f1,find,{})", "tool: tool_call_response(f1,found)"],
            Describe(InputMessages.Read("responses", """
                {"input":[{"role":"user","content":[{"type":"input_text","text":"look"}]},{"type":"reasoning","summary":[]},
                 {"type":"function_call","call_id":"f1","name":"find","arguments":"{}"},
                 {"type":"function_call_output","call_id":"f1","output":"found"}]}
                """)?.Messages));
    }

    [Theory]
    [InlineData("chat", """{"messages":[{"role":"user","content":"cut sh""")]
    [InlineData("embeddings", """{"input":"a"}""")]
    [InlineData("chat", """{"messages":"not a list"}""")]
    [InlineData("chat", """[1,2]""")]
    public void InputRead_CutForeignOrMisshapenBody_NoMessages(string operation, string body)
    {
        Assert.Null(InputMessages.Read(operation, body)?.Messages);
    }

    [Fact]
    public void InputRead_MisshapenEntries_SkippedNotThrown()
    {
        Assert.Equal(["user: ok"], Describe(InputMessages.Read("chat", """{"messages":[7,"x",null,{"content":"ok"}]}""")?.Messages));
        Assert.Null(InputMessages.Read("messages", """{"messages":[0,0,0,0]}""")?.Messages);
    }

    [Fact]
    public void InputRead_NonAsciiText_WrittenAsIs()
    {
        Assert.Equal("""[{"role":"user","parts":[{"type":"text","content":"日本語 é"}]}]""", InputMessages.Read("chat", """{"messages":[{"role":"user","content":"日本語 é"}]}""")?.Messages);
    }

    [Fact]
    public void OutputRead_WholeAnswers_OneMessagePerChoiceWithFinishReason()
    {
        Assert.Equal(["assistant: four | stop", "assistant: 4 | length"], Describe(OutputMessages.Read("chat", """
            {"choices":[{"index":0,"message":{"role":"assistant","content":"four"},"finish_reason":"stop"},
                        {"index":1,"message":{"role":"assistant","content":"4"},"finish_reason":"length"}]}
            """)));
        Assert.Equal(["assistant: , upon | length"], Describe(OutputMessages.Read("text_completion", """{"choices":[{"index":0,"text":", upon","finish_reason":"length"}]}""")));
        Assert.Equal(["assistant: sure, tool_call(t9,get,{\"a\":2}) | tool_call"], Describe(OutputMessages.Read("messages", """
            {"type":"message","role":"assistant","content":[{"type":"text","text":"sure"},{"type":"tool_use","id":"t9","name":"get","input":{"a":2}}],"stop_reason":"tool_use"}
            """)));
        Assert.Equal(["assistant: done | length"], Describe(OutputMessages.Read("responses", """
            {"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[{"type":"reasoning"},
             {"type":"message","role":"assistant","content":[{"type":"output_text","text":"done"}]}]}
            """)));
    }

    [Fact]
    public void OutputRead_ChatStream_DeltasAssembledPerChoiceWithToolCalls()
    {
        const string Stream = """
            data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}},{"index":1,"delta":{"content":"X"}}]}

            data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}

            data: {"choices":[{"index":1,"delta":{"tool_calls":[{"index":0,"id":"c7","function":{"name":"f","arguments":"{\"k\""}}]}}]}

            data: {"choices":[{"index":1,"delta":{"tool_calls":[{"index":0,"function":{"arguments":":3}"}}]},"finish_reason":"tool_calls"}]}

            data: {"choices":[],"usage":{"prompt_tokens":3}}

            data: [DONE]

            """;

        Assert.Equal(["assistant: Hello | stop", """assistant: X, tool_call(c7,f,{"k":3}) | tool_call"""], Describe(OutputMessages.Read("chat", Stream)));
    }

    [Fact]
    public void OutputRead_MessagesAndResponsesStreams_TextAndFinish()
    {
        const string Anthropic = """
            event: message_start
            data: {"type":"message_start","message":{"role":"assistant","content":[]}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi "}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"there"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn"}}

            """;
        const string Responses = """
            event: response.output_text.delta
            data: {"type":"response.output_text.delta","delta":"Yes"}

            event: response.completed
            data: {"type":"response.completed","response":{"status":"completed"}}

            """;

        Assert.Equal(["assistant: Hi there | stop"], Describe(OutputMessages.Read("messages", Anthropic)));
        Assert.Equal(["assistant: Yes | stop"], Describe(OutputMessages.Read("responses", Responses)));
    }

    [Fact]
    public void OutputRead_StreamCutMidEvent_KeepsTheWholeEventsBeforeIt()
    {
        const string Cut = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"kept\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"del";

        Assert.Equal(["assistant: kept"], Describe(OutputMessages.Read("chat", Cut)));
        Assert.Null(OutputMessages.Read("chat", """{"choices":[{"message":"""));
        Assert.Null(OutputMessages.Read("chat", """{"choices":[{"message":{"content":"whole"}}]}""", truncated: true));
        Assert.Null(OutputMessages.Read("embeddings", """{"data":[]}"""));
    }
}
