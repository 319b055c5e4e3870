namespace LlmHost.Gateway.Authentication;

/// <summary>Endpoint metadata: the route needs an API key (<see cref="AnyKey"/>) or an admin key (<see cref="AdminKey"/>).</summary>
public sealed class ApiKeyRequirement
{
    public static readonly ApiKeyRequirement AnyKey = new(admin: false);
    public static readonly ApiKeyRequirement AdminKey = new(admin: true);

    private ApiKeyRequirement(bool admin) => Admin = admin;

    public bool Admin { get; }
}

public static class ApiKeyRequirementExtensions
{
    /// <summary>Every route of the group needs an API key — an admin key when <paramref name="admin"/>.</summary>
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder, bool admin = false) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(admin ? ApiKeyRequirement.AdminKey : ApiKeyRequirement.AnyKey);
}
