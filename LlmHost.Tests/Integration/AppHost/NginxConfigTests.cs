namespace LlmHost.Tests.Integration.AppHost;

/// <summary>The rendered nginx.conf, checked by Debian's nginx itself (<c>nginx -t</c>).</summary>
[Trait("Category", "Integration")]
public class NginxConfigTests
{
    [Fact]
    public async Task NginxRender_DeniesMetricsButToTheAllowedNetworks_AndNginxAcceptsIt()
    {
        var directory = Directory.CreateTempSubdirectory("llmhost-nginx-").FullName;
        try
        {
            await LlmHost.AppHost.Hosting.Nginx.NginxBuilderExtensions.WriteConfigAsync(
                Path.Combine(RepositoryRoot.Path, "nginx", "nginx.conf.template"), directory, $"127.0.0.1:{FreePort.Next()}", ["127.0.0.1:9"],
                new LlmHost.AppHost.Hosting.Nginx.NginxSettings(16 << 20, ["10.0.0.0/8", "192.168.1.5"]), CancellationToken.None);

            var config = await File.ReadAllTextAsync(Path.Combine(directory, "nginx.conf"));
            Assert.Contains("location ~* ^/metrics(/|$) {", config);
            Assert.Matches(@"allow 10\.0\.0\.0/8;\s+allow 192\.168\.1\.5;\s+deny all;", config);
            Assert.Contains("server_tokens off;", config);
            using var check = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(
                LlmHost.AppHost.Hosting.Runtime.ExecutableLocator.Find("nginx")!, ["-t", "-p", directory + "/", "-c", "nginx.conf", "-e", "stderr"])
            { RedirectStandardError = true })!;
            var errors = await check.StandardError.ReadToEndAsync();
            await check.WaitForExitAsync();
            Assert.True(check.ExitCode == 0, errors);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
