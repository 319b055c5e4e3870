using LlmHost.Backends.Engines;
using LlmHost.Gateway.Apis.Contracts;
using LlmHost.Gateway.Errors;
using LlmHost.Gateway.Lifecycle;
using LlmHost.Gateway.Routing;
using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Apis;

/// <summary>
/// <c>/admin/backends/{instance}/sleep</c> and <c>/wake</c>: vLLM's sleep mode by hand. The engines' own sleep
/// routes are never reachable through <c>/v1</c>; only these call them.
/// </summary>
public static class AdminEnginesApi
{
    public static RouteGroupBuilder MapAdminEnginesApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/backends/{instance}/sleep", SleepAsync);
        admin.MapPost("/backends/{instance}/wake", WakeAsync);
        return admin;
    }

    private static async Task SleepAsync(HttpContext context, string instance, int? level, BackendPool pool, EngineSleeper sleeper)
    {
        if (await Find(context, instance, pool) is not { } target)
        {
            return;
        }
        var sleepLevel = level ?? target.Backend.Sleep.Level;
        if (sleepLevel is not (1 or 2) || (sleepLevel == 2 && target.Backend.Lora.Enabled))
        {
            await OpenAIErrors.BadRequestAsync(context, sleepLevel is 2 ? "'level' 2 needs lora.enabled: false on this backend." : "'level' must be 1 or 2.", "level");
            return;
        }
        if (target.Backend.Profile.Sleep is { } engineSleep && sleepLevel > engineSleep.MaxLevel)
        {
            await OpenAIErrors.BadRequestAsync(context, $"'level' {sleepLevel}: {target.Backend.Profile.Name} sleeps at level 1 only.", "level");
            return;
        }
        await WriteAsync(context, target, await sleeper.SleepAsync(target, sleepLevel, "by an admin"));
    }

    private static async Task WakeAsync(HttpContext context, string instance, BackendPool pool, EngineSleeper sleeper)
    {
        if (await Find(context, instance, pool) is not { } target)
        {
            return;
        }
        var result = EngineSleeper.CanSleep(target)
            ? await sleeper.WakeAsync(target, "by an admin", force: true).WaitAsync(context.RequestAborted)
            : new EngineCallResult(false, 409, $"backend '{target.Backend.Name}' has sleep.enabled: false");
        await WriteAsync(context, target, result);
    }

    private static async Task<BackendInstance?> Find(HttpContext context, string instance, BackendPool pool)
    {
        foreach (var candidate in pool.All)
        {
            if (candidate.Name == instance)
            {
                return candidate;
            }
        }
        await OpenAIErrors.WriteAsync(context, StatusCodes.Status404NotFound, $"There is no backend instance '{ClientText.Bound(instance)}'.",
            OpenAIErrors.InvalidRequest, "not_found", "instance");
        return null;
    }

    private static Task WriteAsync(HttpContext context, BackendInstance instance, EngineCallResult result)
    {
        context.Response.StatusCode = result.Succeeded ? StatusCodes.Status200OK : result.Status == StatusCodes.Status409Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status502BadGateway;
        return context.Response.WriteAsJsonAsync(new EngineCallView
        {
            Instance = instance.Name,
            Ok = result.Succeeded,
            Status = result.Status,
            Message = result.Message,
            SleepState = SleepStateName(instance.Sleep),
        }, AdminJsonContext.Default.EngineCallView, cancellationToken: context.RequestAborted);
    }

    public static string SleepStateName(SleepState state) => state switch
    {
        SleepState.Sleeping => "sleeping",
        SleepState.Changing => "changing",
        _ => "awake",
    };
}
