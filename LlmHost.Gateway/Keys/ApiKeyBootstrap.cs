using System.Text.Json;

using LlmHost.Gateway.Utilities;

namespace LlmHost.Gateway.Keys;

/// <summary>
/// First start without a key file: create one holding a single admin key and print its secret once, on the console
/// only (never through the logging pipeline, which may ship logs elsewhere).
/// </summary>
public static class ApiKeyBootstrap
{
    public const string AdminKeyId = "admin";

    /// <summary>Creates the file if it is missing; returns the new admin secret, or null when the file existed.</summary>
    public static string? EnsureExists(string path, TextWriter console)
    {
        if (File.Exists(path))
        {
            return null;
        }
        var secret = ApiKeySecret.Generate(AdminKeyId);
        var file = new ApiKeyFile
        {
            Keys =
            [
                new ApiKeyEntry
                {
                    Id = AdminKeyId,
                    Name = "Bootstrap administrator",
                    Role = ApiKeyRoles.Admin,
                    KeySha256 = Sha256Hash.Of(secret).ToHex(),
                    Models = ["*"],
                    CreatedAt = DateTimeOffset.UtcNow,
                },
            ],
        };
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(file, ApiKeyJsonContext.Default.ApiKeyFile));
        console.WriteLine($"""
            LlmHost: no key file was found, so {path} was created with one admin key.
            Its secret is shown this once; store it now (only its SHA-256 is kept):

                {secret}

            """);
        return secret;
    }
}
