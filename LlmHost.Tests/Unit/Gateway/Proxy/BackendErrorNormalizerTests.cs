using System.Text;
using LlmHost.Gateway.Proxy;

namespace LlmHost.Tests.Unit.Gateway.Proxy;

[Trait("Category", "Unit")]
public class BackendErrorNormalizerTests
{
    private static LlmHost.Backends.OpenAI.ErrorDetail Normalize(int status, string body) =>
        BackendErrorNormalizer.Normalize(status, Encoding.UTF8.GetBytes(body)).Error;

    [Fact]
    public void Normalize_VllmNestedShapeWithIntegerCode()
    {
        var e = Normalize(404, """{"error":{"message":"The model `x` does not exist.","type":"NotFoundError","param":"model","code":404}}""");

        Assert.Equal("The model `x` does not exist.", e.Message);
        Assert.Equal("invalid_request_error", e.Type);
        Assert.Equal("model", e.Param);
        Assert.Equal("model_not_found", e.Code);
    }

    [Fact]
    public void Normalize_VllmLegacyFlatShape_ContextLength()
    {
        var e = Normalize(400, """{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.","type":"BadRequestError","param":null,"code":400}""");

        Assert.Equal("invalid_request_error", e.Type);
        Assert.Equal("context_length_exceeded", e.Code);
        Assert.Null(e.Param);
    }

    [Fact]
    public void Normalize_SglangFlatNotFound()
    {
        var e = Normalize(404, """{"object":"error","message":"Model 'x' is not served.","type":"NotFound","param":null,"code":404}""");

        Assert.Equal("Model 'x' is not served.", e.Message);
        Assert.Equal("model_not_found", e.Code);
    }

    [Fact]
    public void Normalize_SglangWrappedShape()
    {
        var e = Normalize(400, """{"error":{"object":"error","message":"bad","type":"BadRequestError","param":"messages","code":400}}""");

        Assert.Equal("bad", e.Message);
        Assert.Equal("messages", e.Param);
        Assert.Null(e.Code);
    }

    [Fact]
    public void Normalize_VllmUnauthorizedString()
    {
        var e = Normalize(401, """{"error":"Unauthorized"}""");

        Assert.Equal("Unauthorized", e.Message);
        Assert.Equal("authentication_error", e.Type);
        Assert.Equal("invalid_api_key", e.Code);
    }

    [Fact]
    public void Normalize_FastApiDetailAndPlainText()
    {
        Assert.Equal("Not Found", Normalize(404, """{"detail":"Not Found"}""").Message);
        var text = Normalize(502, "upstream exploded");
        Assert.Equal("upstream exploded", text.Message);
        Assert.Equal("server_error", text.Type);
    }

    [Theory]
    [InlineData(429, "requests", "rate_limit_exceeded")]
    [InlineData(503, "server_error", null)]
    [InlineData(500, "server_error", null)]
    [InlineData(403, "permission_error", null)]
    public void Normalize_StatusDecidesTypeAndCode(int status, string type, string? code)
    {
        var e = Normalize(status, """{"error":{"message":"m","type":"SomethingError","code":1}}""");

        Assert.Equal(type, e.Type);
        Assert.Equal(code, e.Code);
    }

    [Fact]
    public void Normalize_EmptyBody_StillHasAMessage()
    {
        Assert.Equal("The backend answered with status 500.", Normalize(500, "").Message);
    }
}
