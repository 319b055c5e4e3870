using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Routing;

/// <summary>The answer for a model no route leads to, in OpenAI's shape.</summary>
public static class RoutingErrors
{
    public static Task ModelNotFoundAsync(HttpContext context, string model, string param = "model") =>
        OpenAIErrors.WriteAsync(context, StatusCodes.Status404NotFound,
            $"The model `{ClientText.Bound(model)}` does not exist or you do not have access to it.", OpenAIErrors.InvalidRequest, "model_not_found", param);
}
