using System.Security.Cryptography;

namespace LlmHost.Gateway.Keys;

/// <summary>
/// Secrets look like <c>sk-llmhost-&lt;public id&gt;-&lt;random&gt;</c>: the public id (the key's id) can be shown in
/// logs and metrics; the random part (32 bytes, base64url) is the secret.
/// </summary>
public static class ApiKeySecret
{
    public const string Prefix = "sk-llmhost-";

    public static string Generate(string publicId)
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        return Prefix + publicId + "-" + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '_').Replace('/', '_');
    }

    /// <summary>The public id inside a secret of the LlmHost form, for messages; null for other secrets.</summary>
    public static string? PublicIdOf(string secret)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var end = secret.LastIndexOf('-');
        return end > Prefix.Length ? secret[Prefix.Length..end] : null;
    }
}
