namespace LlmHost.Gateway.Adapters;

public enum PlacementFailure
{
    None,

    /// <summary>No instance of the base model is available.</summary>
    NoInstance,

    /// <summary>The adapter was still loading when the request's wait (<c>lora.wait_timeout</c>) ended.</summary>
    LoadTimedOut,

    /// <summary>The engine refused the load, or could not be reached.</summary>
    LoadFailed,
}
