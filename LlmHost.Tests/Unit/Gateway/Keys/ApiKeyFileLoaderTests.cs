using System.Text;
using LlmHost.Gateway.Keys;

using LlmHost.Gateway.Utilities;

namespace LlmHost.Tests.Unit.Gateway.Keys;

[Trait("Category", "Unit")]
public class ApiKeyFileLoaderTests
{
    private static readonly string Hash = Sha256Hash.Of("sk-llmhost-a-secret").ToHex();

    private static List<string> Errors(string json) =>
        ApiKeyFileLoader.Load(Encoding.UTF8.GetBytes(json)).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void Load_ValidFile_GivesKeysWithPatterns()
    {
        var result = ApiKeyFileLoader.Load(Encoding.UTF8.GetBytes($$"""
            {"keys": [{"id": "ops", "name": "Operations", "role": "admin", "key_sha256": "{{Hash}}",
                       "models": ["qwen*", "sql-lora"], "limits": {"qps": 5, "tpm": 1000}, "expires_at": null, "disabled": false}]}
            """));

        Assert.Empty(result.Errors);
        var key = Assert.Single(result.Keys);
        Assert.True(key.IsAdmin);
        Assert.True(key.Models.Allows("qwen2.5-7b"));
        Assert.True(key.Models.Allows("sql-lora"));
        Assert.False(key.Models.Allows("llama"));
        Assert.Equal(1000, key.Limits!.Tpm);
    }

    [Fact]
    public void Load_PlaintextKey_IsHashedInMemoryAndWarned()
    {
        var result = ApiKeyFileLoader.Load(Encoding.UTF8.GetBytes("""{"keys": [{"id": "old", "key": "sk-llmhost-old-plaintext"}]}"""));

        Assert.Empty(result.Errors);
        Assert.Equal(Sha256Hash.Of("sk-llmhost-old-plaintext"), result.Keys[0].Hash);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("plain text", warning);
        Assert.DoesNotContain("sk-llmhost-old-plaintext", warning);
    }

    [Fact]
    public void Load_EveryProblem_IsReportedWithPathAndLine()
    {
        var errors = Errors($$$"""
            {"keys": [
              {"id": "Bad Id", "role": "root", "key_sha256": "xyz"},
              {"id": "dup", "key_sha256": "{{{Hash}}}"},
              {"id": "dup", "key_sha256": "{{{Hash}}}", "limits": {"qps": -1, "weight": 0, "max_priority": "urgent"}},
              {"id": "nokey"}
            ]}
            """);

        Assert.Contains("line 2: keys[0].id: 'Bad Id' must be 1 to 32 lower-case letters, digits, '_' or '-', starting with a letter or digit", errors);
        Assert.Contains("line 2: keys[0].role: 'root' is not one of admin, user", errors);
        Assert.Contains("line 2: keys[0].key_sha256: must be 64 hexadecimal characters", errors);
        Assert.Contains("line 4: keys[2].id: 'dup' is used by another key", errors);
        Assert.Contains("line 4: keys[2]: has the same secret as another key", errors);
        Assert.Contains("line 4: keys[2].limits.qps: -1 is out of range (0 for unlimited, or 0.001 to 1000000)", errors);
        Assert.Contains("line 4: keys[2].limits.weight: 0 is out of range (1 to 100)", errors);
        Assert.Contains("line 4: keys[2].limits.max_priority: must be interactive, default or batch", errors);
        Assert.Contains("line 5: keys[3]: needs key_sha256 (or, for migration, a plaintext key)", errors);
    }

    [Fact]
    public void Load_SyntaxAndTypeErrors_GiveLine()
    {
        var syntax = Assert.Single(Errors("{\"keys\": [\n  {\"id\": \"a\",,}\n]}"));
        var type = Assert.Single(Errors("{\"keys\": [\n  {\"id\": \"a\", \"disabled\": \"yes\"}\n]}"));

        Assert.StartsWith("line 2", syntax);
        Assert.StartsWith("line 2: keys[0].disabled", type);
    }

    [Theory]
    [InlineData("qwen*", "qwen2.5", true)]
    [InlineData("qwen*", "llama", false)]
    [InlineData("*-lora", "sql-lora", true)]
    [InlineData("*-lora", "sql-lora-2", false)]
    [InlineData("a*b*c", "a-x-b-y-c", true)]
    [InlineData("a*b*c", "a-c-b", false)]
    public void ModelPatterns_Wildcards(string pattern, string model, bool allowed)
    {
        Assert.Equal(allowed, new ModelPatterns([pattern]).Allows(model));
    }

    [Fact]
    public void Snapshot_Lookup_UsesHashAndReportsStatus()
    {
        var now = DateTimeOffset.UtcNow;
        var snapshot = new ApiKeySnapshot(
        [
            new ApiKey { Id = "ok", Name = "ok", Role = "user", Hash = Sha256Hash.Of("s-ok"), Models = new ModelPatterns(null) },
            new ApiKey { Id = "old", Name = "old", Role = "user", Hash = Sha256Hash.Of("s-old"), Models = new ModelPatterns(null), ExpiresAt = now.AddMinutes(-1) },
            new ApiKey { Id = "off", Name = "off", Role = "user", Hash = Sha256Hash.Of("s-off"), Models = new ModelPatterns(null), Disabled = true },
            new ApiKey { Id = "rot", Name = "rot", Role = "user", Hash = Sha256Hash.Of("s-new"), Models = new ModelPatterns(null),
                         PreviousHash = Sha256Hash.Of("s-prev"), PreviousValidUntil = now.AddMinutes(1) },
        ]);

        Assert.Equal(KeyLookupStatus.Valid, snapshot.Lookup("s-ok", now, out var key));
        Assert.Equal("ok", key!.Id);
        Assert.Equal(KeyLookupStatus.Expired, snapshot.Lookup("s-old", now, out _));
        Assert.Equal(KeyLookupStatus.Disabled, snapshot.Lookup("s-off", now, out _));
        Assert.Equal(KeyLookupStatus.Unknown, snapshot.Lookup("s-nope", now, out _));
        Assert.Equal(KeyLookupStatus.Valid, snapshot.Lookup("s-prev", now, out _));
        Assert.Equal(KeyLookupStatus.Unknown, snapshot.Lookup("s-prev", now.AddMinutes(2), out _));
    }

    [Fact]
    public void Secret_HasPublicIdAndEnoughRandomness()
    {
        var a = ApiKeySecret.Generate("team-a");
        var b = ApiKeySecret.Generate("team-a");

        Assert.StartsWith("sk-llmhost-team-a-", a);
        Assert.Equal("team-a", ApiKeySecret.PublicIdOf(a));
        Assert.NotEqual(a, b);
        Assert.True(a.Length >= "sk-llmhost-team-a-".Length + 43);
    }

    [Fact]
    public void AtomicFile_CrashBeforeRename_LeavesOldFileIntact()
    {
        var directory = Directory.CreateTempSubdirectory("llmhost-atomic").FullName;
        var path = Path.Combine(directory, "api_keys.json");
        File.WriteAllText(path, "old content");
        AtomicFile.BeforeRename = _ => throw new IOException("simulated crash");
        try
        {
            Assert.Throws<IOException>(() => AtomicFile.Write(path, "new content"u8));
        }
        finally
        {
            AtomicFile.BeforeRename = null;
        }

        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal(["api_keys.json"], Directory.GetFiles(directory).Select(Path.GetFileName));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void AtomicFile_Write_EndsWithOneNewline()
    {
        var directory = Directory.CreateTempSubdirectory("llmhost-atomic").FullName;
        var path = Path.Combine(directory, "adapters.json");

        AtomicFile.Write(path, "{}"u8);
        var once = File.ReadAllText(path);
        AtomicFile.Write(path, "{}\n"u8);

        Assert.Equal("{}\n", once);
        Assert.Equal("{}\n", File.ReadAllText(path));
        Directory.Delete(directory, recursive: true);
    }
}
