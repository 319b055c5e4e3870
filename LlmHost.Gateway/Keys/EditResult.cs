namespace LlmHost.Gateway.Keys;

/// <summary>The outcome of an admin edit of the key file: an HTTP status, an error message, or the value to answer with.</summary>
public sealed record EditResult(int Status, string? Error = null, object? Value = null)
{
    public static EditResult Ok(object? value = null) => new(StatusCodes.Status200OK, null, value);
    public static EditResult NotFound(string keyId) => new(StatusCodes.Status404NotFound, $"There is no key '{keyId}'.");
    public static EditResult Invalid(string message) => new(StatusCodes.Status400BadRequest, message);
    public bool Succeeded => Error is null;
}
