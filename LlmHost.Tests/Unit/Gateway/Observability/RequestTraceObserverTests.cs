using System.Diagnostics;
using System.Text;
using LlmHost.Gateway.Metering;
using LlmHost.Gateway.Observability;
using LlmHost.Gateway.Observability.AccessLogging;
using Microsoft.AspNetCore.Http;

namespace LlmHost.Tests.Unit.Gateway.Observability;

public sealed class RequestTraceObserverTests
{
    private static (DefaultHttpContext Context, CompletionMeasurement Measurement) Debugged(string request, string answer)
    {
        var bodies = new BodyCaptureFeature();
        bodies.Request.Append(Encoding.UTF8.GetBytes(request));
        bodies.Response.Append(Encoding.UTF8.GetBytes(answer));
        var context = new DefaultHttpContext();
        context.Features.Set(bodies);
        return (context, new CompletionMeasurement("m", stream: false, Stopwatch.GetTimestamp()) { Status = 500, Operation = "chat" });
    }

    [Fact]
    public void OnCompleted_AnswerWithALoneSurrogate_LeavesItsMessagesOutAndTagsTheRest()
    {
        using var source = new ActivitySource("test-" + Guid.NewGuid());
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var (context, measurement) = Debugged("""{"messages":[{"role":"user","content":"hi"}]}""", """{"choices":[{"message":{"content":"\ud800"}}]}""");
        measurement.Status = 200;
        using var activity = source.StartActivity("request")!;

        new RequestTraceObserver().OnCompleted(context, measurement);

        Assert.Equal("chat", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Contains("\"hi\"", Assert.IsType<string>(activity.GetTagItem("gen_ai.input.messages")));
        Assert.Null(activity.GetTagItem("gen_ai.output.messages"));
    }

    [Fact]
    public void OnCompleted_NoTracerListening_TagsNothing()
    {
        var (context, measurement) = Debugged("""{"messages":[{"role":"user","content":"hi"}]}""", "{}");
        using var activity = new Activity("hosting").Start(); // as ASP.NET Core starts one for log correlation

        new RequestTraceObserver().OnCompleted(context, measurement);

        Assert.True(activity.IsAllDataRequested);
        Assert.Empty(activity.TagObjects);
    }
}
