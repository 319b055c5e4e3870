using System.Net;

namespace LlmHost.Tests.Integration.Gateway.Keys;

/// <summary>
/// What an admin write must not do: take numbers a limiter cannot hold, loosen the key file's permissions or change
/// its owner, let the audit log grow without end — and what it must do with several gateway processes on one file:
/// lose nothing.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AdminWriteSafetyTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() =>
        _gateway = await GatewayHost.StartAsync($$"""
            routing: { discovery_interval: 1h, health_check_interval: 1h }
            backends:
              - { name: sim, engine: vllm, mode: external, model: m, url: "http://127.0.0.1:9" }
            logging: { dir: "{{Path.Combine(Path.GetTempPath(), $"llmhost-audit-{Guid.NewGuid():N}")}}", audit_log: { max_file_size: 1KB, retained_files: 2 } }
            """);

    public async Task DisposeAsync()
    {
        // The gateway first: it may still be writing its audit log into the folder.
        var auditFolder = Path.GetDirectoryName(_gateway.Get<LlmHost.Gateway.Keys.AuditLog>().Path)!;
        await _gateway.DisposeAsync();
        Directory.Delete(auditFolder, recursive: true);
    }

    [Theory]
    [InlineData("POST", "/admin/keys", """{"id":"tiny","limits":{"qps":1e-13}}""", "qps")]
    [InlineData("POST", "/admin/keys", """{"id":"huge","limits":{"tpm":1e300}}""", null)]
    [InlineData("POST", "/admin/keys", """{"id":"neg","limits":{"concurrency":-5}}""", "concurrency")]
    [InlineData("POST", "/admin/keys/testuser/rotate", """{"overlap_seconds":1e300}""", "overlap_seconds")]
    [InlineData("POST", "/admin/keys/testuser/rotate", """{"overlap_seconds":-1}""", "overlap_seconds")]
    [InlineData("PATCH", "/admin/keys/testuser", """{"limits":{"burst":2000000000}}""", "burst")]
    [InlineData("POST", "/admin/keys", """{"id":"text","name":"\udc00"}""", null)]
    public async Task NumbersOutOfRangeAndBadText_Are400_AndChangeNothing(string method, string path, string json, string? field)
    {
        var before = await File.ReadAllTextAsync(_gateway.KeysPath);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Json.Body(json) };

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await Json.ReadAsync(response)).GetProperty("error").GetProperty("message").GetString()!;
        if (field is not null)
        {
            Assert.Contains(field, message);
        }
        Assert.Equal(before, await File.ReadAllTextAsync(_gateway.KeysPath));
        using var user = _gateway.ClientWith(GatewayHost.UserSecret);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/v1/models")).StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Write_KeepsTheFilesModeAndOwner()
    {
        File.SetUnixFileMode(_gateway.KeysPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var chowned = Environment.UserName == "root" && Chown(_gateway.KeysPath, 4242, 4243) == 0;

        var (response, _) = await Json.PostAsync(_gateway.Client, "/admin/keys", """{"id":"modekept"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_gateway.KeysPath));
        if (chowned)
        {
            Assert.Equal((4242u, 4243u), Owner(_gateway.KeysPath));
        }
    }

    [Fact]
    public async Task AuditLog_PastItsSize_IsRotatedAndPruned()
    {
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _gateway.Client.PatchAsync("/admin/keys/testuser", Json.Body($$"""{"name":"audited {{i}}"}"""))).StatusCode);
        }

        var audit = _gateway.Get<LlmHost.Gateway.Keys.AuditLog>().Path;
        var rotated = Directory.GetFiles(Path.GetDirectoryName(audit)!, "audit-*.log.gz");
        Assert.Equal(2, rotated.Length);
        Assert.InRange(new FileInfo(audit).Length, 1, 1024 + 512);
        Assert.Contains("audited 39", await File.ReadAllTextAsync(audit));
    }

    [Fact]
    public async Task AuditLogUnwritable_TheChangeIsNotMade_503()
    {
        var audit = _gateway.Get<LlmHost.Gateway.Keys.AuditLog>().Path;
        var before = await File.ReadAllTextAsync(_gateway.KeysPath);
        File.Delete(audit);
        Directory.CreateDirectory(audit); // where the file should be: no line can be appended

        using var refused = await _gateway.Client.PatchAsync("/admin/keys/testuser", Json.Body("""{"name":"unaudited"}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("audit log", (await Json.ReadAsync(refused)).GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(before, await File.ReadAllTextAsync(_gateway.KeysPath));
        Directory.Delete(audit);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Client.PatchAsync("/admin/keys/testuser", Json.Body("""{"name":"audited"}"""))).StatusCode);
        var line = System.Text.Json.JsonDocument.Parse(File.ReadAllLines(audit).Last()).RootElement;
        Assert.Equal("applied", line.GetProperty("outcome").GetString());
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, uint owner, uint group);

    private static int Chown(string path, uint owner, uint group) => chown(path, owner, group);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, string path, int flags, uint mask, [System.Runtime.InteropServices.Out] byte[] buffer);

    private static (uint, uint) Owner(string path)
    {
        var buffer = new byte[256];
        Assert.Equal(0, statx(-100, path, 0, 0x18, buffer));
        return (BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt32(buffer, 24));
    }
}
